namespace Hermes.Providers.Auth;

/// <summary>Where in the credential chain an xAI bearer came from.</summary>
internal enum XaiCredentialSource
{
    Runtime,
    SignIn,
    Pool,
    ApiKey,
}
