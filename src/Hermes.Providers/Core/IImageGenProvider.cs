using Hermes.Domain;

namespace Hermes.Providers.Core;

/// <summary>One image backend. Implementations run on <see cref="ProviderPipeline"/> and never throw for HTTP or provider errors; cancellation throws.</summary>
internal interface IImageGenProvider
{
    string Name { get; }
    string DisplayName { get; }
    ProviderCatalog Catalog { get; }
    SetupSchema SetupSchema { get; }
    Availability IsAvailable();

    /// <summary>What the model takes in an edit, null when it cannot edit; the bundled providers answer from the domain's table.</summary>
    EditSupport? EditSupportFor(string model) => EditCapability.forModel(Name, model)?.Value;

    /// <summary>The bundled provider whose per-call output controls this one takes (OutputControls.forProvider); its own name by default.</summary>
    string OutputControlsAs => Name;

    /// <summary>Whether one request makes several images of the model (native n, up to a max) or one each; the domain's table by default.</summary>
    CountSupport CountFor(string model, bool isEdit) => ImageCount.forProvider(OutputControlsAs, model, isEdit);

    Task<ImageGenResult> GenerateAsync(string prompt, AspectRatio aspectRatio, GenerateOptions options, CancellationToken ct);
}
