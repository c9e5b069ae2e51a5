using Hermes.Domain;
using Hermes.Providers.Core;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Hermes.Providers.Auth;

/// <summary>Listing and removing stored xAI sign-ins.</summary>
internal static class XaiAccounts
{
    public static Either<HermesError, IReadOnlyList<XaiAccountView>> List(HermesContext ctx) =>
        ctx.Auth.Read()
            .MapLeft(error => error.ToHermesError())
            .Map(root => (IReadOnlyList<XaiAccountView>)XaiCredentialStore.Entries(root).Select((entry, index) =>
            {
                var exp = TokenExpiry.expiresAt(entry.AccessToken);
                DateTimeOffset? expiresAt = exp is null ? null : DateTimeOffset.FromUnixTimeSeconds(exp.Value);
                return new XaiAccountView(index + 1, entry.Source, entry.Label, Redact.Secret(entry.AccessToken), expiresAt,
                    TokenExpiry.isExpiring(ctx.NowUnixSeconds, 0, entry.AccessToken), entry.LastRefresh)
                {
                    Exhausted = entry.Exhausted,
                };
            }).ToList());

    /// <summary>Removes entry N; removing the signed-in entry also clears providers["xai-oauth"] so it cannot come back.</summary>
    public static async Task<Either<HermesError, XaiOAuthEntry>> RemoveAsync(HermesContext ctx, int number, CancellationToken ct)
    {
        var outcome = await ctx.Auth.UpdateAsync<Either<string, XaiOAuthEntry>>(root =>
        {
            var removed = XaiCredentialStore.Remove(root, number);
            return Right<AuthError, (Either<string, XaiOAuthEntry>, bool)>((removed, removed.IsRight));
        }, ct);
        return outcome.MapLeft(ToError).Bind(removed => removed.MapLeft(message => new HermesError(ErrorKind.InvalidArgument, message)));
    }

    public static HermesError ToError(AuthError error) => new(AuthErrorModule.kind(error), AuthErrorModule.message(error));
}
