namespace Hermes.Providers.Auth;

/// <summary>A stored sign-in and its number in `hermes auth list`.</summary>
public sealed record SignInResult(int Number, XaiOAuthEntry Entry);
