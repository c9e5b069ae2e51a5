namespace Hermes.Providers.Http;

/// <summary>Raised inside the socket connect step when every address of a host is internal and the host is not trusted.</summary>
internal sealed class RefusedAddressException(string host, int port)
    : IOException($"refused to connect to {host}:{port}: it resolves only to internal addresses")
{
    public string Host { get; } = host;
    public int Port { get; } = port;
}
