namespace Hermes.Providers.Auth;

/// <summary>An xAI bearer and where it came from; OAuth-sourced ones carry their auth.json entry so a refresh rotates that entry only.</summary>
internal sealed record XaiCredential(string Token, XaiCredentialSource Source, XaiOAuthEntry? Entry)
{
    public bool IsOAuth => Entry is not null;
}
