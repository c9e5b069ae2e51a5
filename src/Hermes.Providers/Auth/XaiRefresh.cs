namespace Hermes.Providers.Auth;

/// <summary>The credential after a refresh, and whether this process rotated it (false: it adopted another process's rotation or the token was still fresh).</summary>
internal sealed record XaiRefresh(XaiCredential Credential, bool Rotated);
