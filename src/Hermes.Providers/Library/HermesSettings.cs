using Hermes.Domain;
using Hermes.Providers.Config;
using Hermes.Providers.Core;
using LanguageExt;
using Microsoft.FSharp.Collections;

namespace Hermes.Providers.Library;

/// <summary>`hermes config get/set`: values Hermes reads are checked against the registry and the domain tables first.</summary>
internal static class HermesSettings
{
    public static Either<HermesError, Option<string>> Get(HermesClient client, string key) =>
        HermesConfig.Get(client.Context.Home, key);

    public static Either<HermesError, Unit> Set(HermesClient client, string key, string value)
    {
        var catalogs = ListModule.OfSeq(client.Registry.All.Select(p => p.Catalog));
        var valid = ConfigKeys.validate(catalogs, key, value);
        return valid.IsError ? HermesError.Invalid(valid.ErrorValue) : HermesConfig.Set(client.Context.Home, key, value);
    }
}
