using Hermes.Domain;

namespace Hermes.Providers.Core;

/// <summary>A failure as a value: the kind callers switch on and a one-line message for people.</summary>
public sealed record HermesError(ErrorKind Kind, string Message, int? HttpStatus = null)
{
    public string ErrorType => ErrorKindModule.toWire(Kind);

    public static HermesError Of(DispatchError error) =>
        new(Dispatch.errorKind(error), Dispatch.errorMessage(error));

    public static HermesError Invalid(BadValue bad) => new(ErrorKind.InvalidArgument, bad.Message);

    public override string ToString() => Message;
}
