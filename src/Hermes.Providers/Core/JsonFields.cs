using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hermes.Providers.Core;

/// <summary>Reads fields of untrusted JSON: a field of the wrong type is absent, never an exception.</summary>
internal static class JsonFields
{
    public static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } text ? text : null;

    public static bool Flag(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.True;
}
