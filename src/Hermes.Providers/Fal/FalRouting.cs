using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Providers.Core;
using Microsoft.FSharp.Core;

namespace Hermes.Providers.Fal;

/// <summary>The environment and auth.json facts behind the FAL route; the rule itself is the domain's.</summary>
internal static class FalRouting
{
    public const string DirectQueueBase = "https://queue.fal.run";

    public static bool HasKey(HermesContext ctx) => ctx.Environment.Has("FAL_KEY");

    public static GatewayFacts Gateway(HermesContext ctx)
    {
        var nous = ctx.Auth.Read().MatchUnsafe(Right: root => JsonFields.Text(root["providers"]?["nous"]?["access_token"]), Left: _ => null);
        string? Env(string name) => ctx.Environment.Get(name).IfNoneUnsafe((string?)null);
        return new GatewayFacts(Fs.Opt(Env("FAL_QUEUE_GATEWAY_URL")), Fs.Opt(Env("TOOL_GATEWAY_SCHEME")), Fs.Opt(Env("TOOL_GATEWAY_DOMAIN")),
            Fs.Opt(Env("TOOL_GATEWAY_USER_TOKEN")), Fs.Opt(nous));
    }

    public static FalRoute Route(HermesContext ctx) => Route(ctx, Gateway(ctx));

    private static FalRoute Route(HermesContext ctx, GatewayFacts gateway) =>
        FalGateway.route(HasKey(ctx), FalGateway.resolves(gateway), Dispatch.usesGateway(ctx.Config.ImageGen));

    public static FalEndpoint? Endpoint(HermesContext ctx)
    {
        var facts = Gateway(ctx);
        var route = Route(ctx, facts);
        if (route.IsDirect)
        {
            var queueBase = ctx.Environment.Get("FAL_QUEUE_BASE_URL").Map(u => u.TrimEnd('/')).IfNone(DirectQueueBase);
            return new FalEndpoint(route, queueBase, ctx.Environment.Get("FAL_KEY").IfNone(""));
        }
        if (route.IsGateway)
        {
            return new FalEndpoint(route, FalGateway.origin(facts), FalGateway.token(facts).Value);
        }
        return null;
    }
}
