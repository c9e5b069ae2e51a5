namespace Hermes.Domain

/// The environment facts that decide the managed FAL queue gateway.
type GatewayFacts =
    {
        QueueGatewayUrl: string option
        Scheme: string option
        Domain: string option
        UserToken: string option
        /// The Nous sign-in token from auth.json, when there is one.
        NousToken: string option
    }

[<RequireQualifiedAccess>]
type FalRoute =
    | Direct
    | Gateway
    | Unavailable

module FalGateway =

    let defaultDomain = "nousresearch.com"

    /// FAL_QUEUE_GATEWAY_URL, else <scheme|https>://fal-queue-gateway.<TOOL_GATEWAY_DOMAIN|nousresearch.com>.
    let origin (facts: GatewayFacts) =
        match facts.QueueGatewayUrl |> Option.bind Validation.nonBlank with
        | Some url -> url.TrimEnd('/')
        | None ->
            let scheme =
                facts.Scheme |> Option.bind Validation.nonBlank |> Option.defaultValue "https"

            let domain =
                facts.Domain
                |> Option.bind Validation.nonBlank
                |> Option.defaultValue defaultDomain

            $"{scheme}://fal-queue-gateway.{domain}"

    /// TOOL_GATEWAY_USER_TOKEN, else the Nous sign-in.
    let token (facts: GatewayFacts) =
        facts.UserToken
        |> Option.bind Validation.nonBlank
        |> Option.orElse (facts.NousToken |> Option.bind Validation.nonBlank)

    let resolves (facts: GatewayFacts) = (token facts).IsSome

    /// FAL_KEY goes direct unless image_gen.use_gateway asks for the gateway; without a key the gateway, else nothing.
    let route (falKey: bool) (gateway: bool) (useGateway: bool) =
        if falKey && not useGateway then FalRoute.Direct
        elif gateway then FalRoute.Gateway
        elif falKey then FalRoute.Direct
        else FalRoute.Unavailable

    /// A gateway 4xx: the model, the status, the gateway's words and what fixes it.
    let rejection (modelId: string) (status: int) (providerMessage: string) =
        let fix =
            match status with
            | 401 -> "the Nous sign-in was refused: sign in to Nous again, or set FAL_KEY"
            | 402 -> "the Nous subscription has no credit for this: check the account's billing, or set FAL_KEY"
            | 403 -> "the Nous subscription does not include this model: upgrade the subscription, choose another model, or set FAL_KEY"
            | _ -> "set FAL_KEY or choose another model"

        $"the Nous Subscription gateway rejected model '{modelId}' (HTTP {status}): {providerMessage}; {fix}"
