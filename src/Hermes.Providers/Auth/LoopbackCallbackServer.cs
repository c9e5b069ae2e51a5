using System.Net;
using System.Net.Sockets;
using System.Text;
using Hermes.Domain;
using Hermes.Providers.Core;
using LanguageExt;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace Hermes.Providers.Auth;

/// <summary>
/// The RFC 8252 loopback redirect target on 127.0.0.1: answers CORS only for xAI's own origins (others are refused),
/// keeps the first callback that carries a code or an error, and shows a short page either way.
/// </summary>
public sealed class LoopbackCallbackServer : IAsyncDisposable
{
    private readonly HttpListener listener;
    private readonly Func<FSharpMap<string, string>, FSharpResult<string, AuthError>> evaluate;
    private readonly TaskCompletionSource<FSharpResult<string, AuthError>> outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task loop;
    private int claimed;

    private LoopbackCallbackServer(HttpListener listener, int port, Func<FSharpMap<string, string>, FSharpResult<string, AuthError>> evaluate)
    {
        this.listener = listener;
        this.evaluate = evaluate;
        RedirectUri = Hermes.Domain.RedirectUri.make(port);
        loop = Task.Run(ServeAsync);
    }

    public string RedirectUri { get; }

    /// <summary>Listens on the preferred port, or an ephemeral one when it is taken (0 asks for ephemeral directly).</summary>
    public static LoopbackCallbackServer Start(int preferredPort, Func<FSharpMap<string, string>, FSharpResult<string, AuthError>> evaluate)
    {
        foreach (var port in preferredPort == 0 ? [FreePort(), FreePort()] : new[] { preferredPort, FreePort(), FreePort() })
        {
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://{Hermes.Domain.RedirectUri.host}:{port}/");
            try
            {
                listener.Start();
                return new LoopbackCallbackServer(listener, port, evaluate);
            }
            catch (HttpListenerException)
            {
                listener.Close();
            }
        }
        throw new IOException("could not listen on 127.0.0.1 for the OAuth callback");
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>The authorization code, or why there is none; a callback that never comes is a timeout.</summary>
    public async Task<Either<AuthError, string>> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        var finished = await Task.WhenAny(outcome.Task, Task.Delay(timeout, ct));
        ct.ThrowIfCancellationRequested();
        if (finished != outcome.Task)
        {
            return AuthError.NewTimeout(AuthStep.Callback);
        }
        var result = await outcome.Task;
        return result.IsOk ? result.ResultValue : result.ErrorValue;
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
            try
            {
                await HandleAsync(context);
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
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
        if (request.HttpMethod != "GET" || request.Url?.AbsolutePath != Hermes.Domain.RedirectUri.path)
        {
            await ReplyAsync(response, request.HttpMethod != "GET" ? 405 : 404, "Not found.", "This is the Hermes sign-in callback.");
            return;
        }
        var query = MapModule.OfSeq(request.QueryString.AllKeys
            .Where(key => key is not null)
            .Select(key => Tuple.Create(key!, request.QueryString[key] ?? "")));
        if (!query.ContainsKey("code") && !query.ContainsKey("error"))
        {
            await ReplyAsync(response, 400, "xAI authorization not received.", "No authorization code was in this address. Return to the terminal and run `hermes auth add xai-oauth` again.");
            return;
        }
        if (Interlocked.Exchange(ref claimed, 1) == 1)
        {
            await ReplyAsync(response, 409, "Already handled.", "This sign-in has already received its answer.");
            return;
        }
        var result = evaluate(query);
        try
        {
            if (result.IsOk)
            {
                await ReplyAsync(response, 200, "Signed in to xAI.", "You can close this tab and return to the terminal.");
            }
            else
            {
                await ReplyAsync(response, 400, "xAI sign-in failed.", WebUtility.HtmlEncode(AuthErrorModule.message(result.ErrorValue)));
            }
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
