using LanguageExt;

namespace Hermes.Providers.Core;

/// <summary>A provider's own step: credentials, the pure request builder, the send and the pure answer parser.</summary>
internal delegate Task<Either<HermesError, Produced>> ProduceStep(ImageCall call, CancellationToken ct);
