namespace Hermes.Providers.Auth;

/// <summary>A stored sign-in and its number in `hermes auth list`.</summary>
internal sealed record SignInResult(int Number, XaiOAuthEntry Entry);
