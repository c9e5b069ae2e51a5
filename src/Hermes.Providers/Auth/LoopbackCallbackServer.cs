using System.Net;
using System.Net.Sockets;
using System.Text;
using Hermes.Domain;
using Hermes.Providers.Core;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Hermes.Providers.Auth;

/// <summary>
/// The RFC 8252 loopback redirect target on 127.0.0.1. Only a request carrying this sign-in's state can end it (with a code
/// or an error); anything else gets 400 and the listener keeps waiting. CORS is answered only for xAI's own origins.
/// Queries are read up to a cap, bodies never, and each request is handled on its own so a stuck or flooding client delays no one.
/// </summary>
internal sealed class LoopbackCallbackServer : IAsyncDisposable
{
    private const int MaxRequestTarget = OAuthCallback.maxQueryLength + 64;
    private const int MaxConcurrentRequests = 32;
    private readonly HttpListener listener;
    private readonly string expectedState;
    private readonly TaskCompletionSource<Either<AuthError, string>> outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim slots = new(MaxConcurrentRequests);
    private readonly Task loop;
    private int claimed;

    private LoopbackCallbackServer(HttpListener listener, int port, string expectedState)
    {
        this.listener = listener;
        this.expectedState = expectedState;
        RedirectUri = Hermes.Domain.RedirectUri.make(port);
        loop = Task.Run(ServeAsync);
    }

    public string RedirectUri { get; }

    /// <summary>Completes with the authorization code, or the denial, of the one callback that carried this sign-in's state.</summary>
    public Task<Either<AuthError, string>> Callback => outcome.Task;

    /// <summary>Listens on the preferred port, or an ephemeral one when it is taken (0 asks for ephemeral directly).</summary>
    public static Either<AuthError, LoopbackCallbackServer> Start(int preferredPort, string expectedState)
    {
        foreach (var port in preferredPort == 0 ? [FreePort(), FreePort()] : new[] { preferredPort, FreePort(), FreePort() })
        {
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://{Hermes.Domain.RedirectUri.host}:{port}/");
            try
            {
                listener.Start();
                return new LoopbackCallbackServer(listener, port, expectedState);
            }
            catch (HttpListenerException)
            {
                listener.Close();
            }
        }
        return AuthError.NewNetwork(AuthStep.Callback, $"could not listen on {Hermes.Domain.RedirectUri.host} for the sign-in callback; free port {preferredPort} or try again");
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = HandleInSlotAsync(context);
        }
    }

    private async Task HandleInSlotAsync(HttpListenerContext context)
    {
        await slots.WaitAsync();
        try
        {
            await HandleAsync(context);
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away or the listener closed mid-answer: drop the connection, nothing is owed to it.
            context.Response.Abort();
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var target = request.RawUrl ?? "";
        if (target.Length > MaxRequestTarget)
        {
            await ReplyAsync(response, 414, "Address too long.", "This is not an answer Hermes is waiting for.");
            return;
        }
        var origin = request.Headers["Origin"];
        var allowed = OriginAllowlist.corsOrigin(Fs.Opt(origin));
        if (origin is not null && allowed is null)
        {
            await ReplyAsync(response, 403, "Origin not allowed.", "This page may not call the Hermes sign-in callback.");
            return;
        }
        if (allowed is not null)
        {
            response.AddHeader("Access-Control-Allow-Origin", allowed.Value);
            response.AddHeader("Access-Control-Allow-Methods", "GET, OPTIONS");
            response.AddHeader("Access-Control-Allow-Headers", "Content-Type");
            response.AddHeader("Access-Control-Allow-Private-Network", "true");
            response.AddHeader("Vary", "Origin");
        }
        if (request.HttpMethod == "OPTIONS")
        {
            response.StatusCode = 204;
            response.Close();
            return;
        }
        var split = target.IndexOf('?');
        var path = split < 0 ? target : target[..split];
        if (request.HttpMethod != "GET" || path != Hermes.Domain.RedirectUri.path)
        {
            await ReplyAsync(response, request.HttpMethod != "GET" ? 405 : 404, "Not found.", "This is the Hermes sign-in callback.");
            return;
        }
        var verdict = OAuthCallback.outcome(OAuthCallback.evaluateQuery(expectedState, split < 0 ? "" : target[(split + 1)..])).ToEither();
        await verdict.Match(
            Right: finished => FinishAsync(response, finished.ToEither()),
            Left: _ => ReplyAsync(response, 400, "Not the answer Hermes is waiting for.",
                "Hermes is still waiting for xAI. Return to the terminal; if the sign-in is over, run `hermes auth add xai-oauth` again."));
    }

    private async Task FinishAsync(HttpListenerResponse response, Either<AuthError, string> result)
    {
        if (Interlocked.Exchange(ref claimed, 1) == 1)
        {
            await ReplyAsync(response, 409, "Already handled.", "This sign-in has already received its answer.");
            return;
        }
        try
        {
            await result.Match(
                Right: _ => ReplyAsync(response, 200, "Signed in to xAI.", "You can close this tab and return to the terminal."),
                Left: error => ReplyAsync(response, 400, "xAI sign-in failed.", WebUtility.HtmlEncode(AuthErrorModule.message(error))));
        }
        finally
        {
            // The page is out before the sign-in goes on and closes this listener.
            outcome.TrySetResult(result);
        }
    }

    private static async Task ReplyAsync(HttpListenerResponse response, int status, string title, string detail)
    {
        var body = Encoding.UTF8.GetBytes($"<!doctype html><html><head><meta charset=\"utf-8\"><title>Hermes</title></head><body><h1>{title}</h1><p>{detail}</p></body></html>");
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body);
        response.Close();
    }

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        // A browser connection that never finishes must not keep the sign-in from ending.
        await Task.WhenAny(loop, Task.Delay(TimeSpan.FromSeconds(2)));
    }
}
