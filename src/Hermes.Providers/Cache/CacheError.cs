namespace Hermes.Providers.Cache;

public enum CacheFailure
{
    InvalidBase64,
    InvalidUrl,
    HttpStatus,
    EmptyBody,
    TooLarge,
    Network,
    Timeout,
    Storage,
}

/// <summary>Why an image did not reach the cache; nothing is left on disk when this is returned.</summary>
public sealed record CacheError(CacheFailure Failure, string Message, int? Status = null)
{
    public override string ToString() => Message;
}
