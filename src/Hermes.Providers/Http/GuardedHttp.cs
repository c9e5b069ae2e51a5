using System.Net;
using System.Net.Sockets;
using Flurl.Http;
using Hermes.Domain;

namespace Hermes.Providers.Http;

/// <summary>
/// The one HTTP client of Hermes: redirects are followed by Hermes itself, and every socket is checked at connect time
/// against the address rules, so a name that resolves to an internal address (DNS rebinding included) is never reached.
/// </summary>
internal static class GuardedHttp
{
    public static IFlurlClient CreateClient(TrustedOrigins trusted)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.All,
            MaxConnectionsPerServer = 256,
            ConnectCallback = (context, ct) => ConnectAsync(trusted, context.DnsEndPoint, ct),
        };
        return new FlurlClient(new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan });
    }

    private static async ValueTask<Stream> ConnectAsync(TrustedOrigins trusted, DnsEndPoint endPoint, CancellationToken ct)
    {
        var host = endPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, ct);
        var allowed = addresses.Where(a => Address.mayConnect(trusted.List, host, endPoint.Port, a)).ToArray();
        if (allowed.Length == 0)
        {
            throw new RefusedAddressException(host, endPoint.Port);
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
