using Hermes.Domain;

namespace Hermes;

/// <summary>A failure as a value: the kind callers switch on and a one-line message for people.</summary>
/// <param name="Kind">What went wrong, e.g. <see cref="ErrorKind.InvalidArgument"/>, <see cref="ErrorKind.Auth"/>, <see cref="ErrorKind.RateLimited"/>.</param>
/// <param name="Message">One line naming the value and what is allowed, sanitized, with secrets cut to a prefix.</param>
/// <param name="HttpStatus">The provider's HTTP status, when the failure was an answer.</param>
public sealed record HermesError(ErrorKind Kind, string Message, int? HttpStatus = null)
{
    /// <summary>The kind as the CLI's JSON error_type prints it (e.g. "invalid_argument").</summary>
    public string ErrorType => ErrorKindModule.toWire(Kind);

    internal static HermesError Of(DispatchError error) =>
        new(Dispatch.errorKind(error), Dispatch.errorMessage(error));

    internal static HermesError Invalid(BadValue bad) => new(ErrorKind.InvalidArgument, bad.Message);

    /// <summary>The message.</summary>
    public override string ToString() => Message;
}
