using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Providers.Core;
using Microsoft.FSharp.Core;

namespace Hermes.Providers.Fal;

/// <summary>Where a FAL request goes and with which key: FAL directly with FAL_KEY, or the Nous managed gateway.</summary>
public sealed record FalEndpoint(FalRoute Route, string QueueBase, string Key)
{
    public string RouteName => Route.IsGateway ? "gateway" : "direct";
}

/// <summary>The environment and auth.json facts behind the FAL route; the rule itself is the domain's.</summary>
public static class FalRouting
{
    public const string DirectQueueBase = "https://queue.fal.run";

    public static bool HasKey(HermesContext ctx) => ctx.Environment.Has("FAL_KEY");

    public static GatewayFacts Gateway(HermesContext ctx)
    {
        var nous = ctx.Auth.Read().Case is JsonObject root && root["providers"]?["nous"]?["access_token"] is JsonValue v && v.TryGetValue<string>(out var s)
            ? s
            : null;
        string? Env(string name) => ctx.Environment.Get(name).Case as string;
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
