using Hermes.Domain;
using Hermes.Providers.Core;
using Hermes.Providers.Storage;
using LanguageExt;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using static LanguageExt.Prelude;
using Unit = LanguageExt.Unit;

namespace Hermes.Providers.Config;

/// <summary>$HERMES_HOME/config.yaml: the image_gen section Hermes reads, and dotted get/set that keeps every other key.</summary>
public sealed record HermesConfig(ImageGenSettings ImageGen, string? XaiResolution)
{
    public static readonly HermesConfig Empty = new(Dispatch.emptySettings, null);

    public static string PathIn(string hermesHome) => Path.Combine(hermesHome, "config.yaml");

    public static Either<HermesError, HermesConfig> Load(string hermesHome) =>
        LoadDocument(PathIn(hermesHome)).Map(FromRoot);

    private static HermesConfig FromRoot(YamlMappingNode root)
    {
        var imageGen = Child(root, "image_gen") as YamlMappingNode;
        string? Scalar(YamlMappingNode? node, string key) => (Child(node, key) as YamlScalarNode)?.Value;

        var providerModels = imageGen is null
            ? MapModule.Empty<string, string>()
            : MapModule.OfSeq(imageGen.Children
                .Where(kv => kv.Key is YamlScalarNode && kv.Value is YamlMappingNode)
                .Select(kv => (((YamlScalarNode)kv.Key).Value ?? "", Scalar((YamlMappingNode)kv.Value, "model")))
                .Where(kv => !string.IsNullOrWhiteSpace(kv.Item2))
                .Select(kv => System.Tuple.Create(kv.Item1, kv.Item2!.Trim())));

        var useGateway = Scalar(imageGen, "use_gateway")?.Trim().ToLowerInvariant() is "true" or "yes" or "on" or "1";
        var settings = new ImageGenSettings(
            Fs.Opt(Scalar(imageGen, "provider")?.Trim()),
            Fs.Opt(Scalar(imageGen, "model")?.Trim()),
            providerModels,
            useGateway);
        var xai = Child(imageGen, "xai") as YamlMappingNode;
        return new HermesConfig(settings, Scalar(xai, "resolution")?.Trim());
    }

    private static YamlNode? Child(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static Either<HermesError, YamlMappingNode> LoadDocument(string path)
    {
        if (!File.Exists(path))
        {
            return new YamlMappingNode();
        }
        try
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(path))
            {
                stream.Load(reader);
            }
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
            {
                return new YamlMappingNode();
            }
            return stream.Documents[0].RootNode is YamlMappingNode mapping
                ? mapping
                : new HermesError(ErrorKind.InvalidArgument, $"{path}: the top level must be a mapping of keys");
        }
        catch (YamlException e)
        {
            return new HermesError(ErrorKind.InvalidArgument, $"{path}: invalid YAML at line {e.Start.Line}: {e.Message}");
        }
    }

    private static Either<HermesError, string[]> ParseKey(string key)
    {
        var parts = (key ?? "").Split('.');
        return parts.Length > 0 && parts.All(p => p.Length > 0 && p.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            ? parts
            : new HermesError(ErrorKind.InvalidArgument,
                $"invalid config key '{key}': allowed keys are dotted names such as image_gen.provider");
    }

    /// <summary>The scalar at a dotted key, None when absent.</summary>
    public static Either<HermesError, Option<string>> Get(string hermesHome, string key) =>
        from parts in ParseKey(key)
        from root in LoadDocument(PathIn(hermesHome))
        select Walk(root, parts);

    private static Option<string> Walk(YamlMappingNode root, string[] parts)
    {
        YamlNode? node = root;
        foreach (var part in parts)
        {
            node = Child(node as YamlMappingNode, part);
        }
        return node is YamlScalarNode scalar ? Optional(scalar.Value) : None;
    }

    /// <summary>Sets a dotted key to a scalar, creating sections as needed; everything else in the file is kept.</summary>
    public static Either<HermesError, Unit> Set(string hermesHome, string key, string value) =>
        from parts in ParseKey(key)
        from root in LoadDocument(PathIn(hermesHome))
        from written in Write(hermesHome, root, parts, value)
        select written;

    private static Either<HermesError, Unit> Write(string hermesHome, YamlMappingNode root, string[] parts, string value)
    {
        var node = root;
        foreach (var part in parts[..^1])
        {
            switch (Child(node, part))
            {
                case YamlMappingNode existing:
                    node = existing;
                    break;
                case null:
                    var created = new YamlMappingNode();
                    node.Children[new YamlScalarNode(part)] = created;
                    node = created;
                    break;
                default:
                    return new HermesError(ErrorKind.InvalidArgument,
                        $"cannot set '{string.Join('.', parts)}': '{part}' already holds a value, not a section");
            }
        }
        node.Children[new YamlScalarNode(parts[^1])] = new YamlScalarNode(value);
        using var text = new StringWriter();
        new YamlStream(new YamlDocument(root)).Save(text, assignAnchors: false);
        var yaml = text.ToString();
        yaml = yaml.EndsWith("...\n", StringComparison.Ordinal) ? yaml[..^4] : yaml;
        AtomicFile.Write(PathIn(hermesHome), System.Text.Encoding.UTF8.GetBytes(yaml), mode: null);
        return unit;
    }
}
