using Hermes.Domain;

namespace Hermes.Providers.Fal;

/// <summary>Where a FAL request goes and with which key: FAL directly with FAL_KEY, or the Nous managed gateway.</summary>
internal sealed record FalEndpoint(FalRoute Route, string QueueBase, string Key)
{
    public string RouteName => Route.IsGateway ? "gateway" : "direct";
}
