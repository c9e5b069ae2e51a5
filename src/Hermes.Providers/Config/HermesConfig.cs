using Hermes.Domain;
using Hermes.Providers.Core;
using Hermes.Providers.Storage;
using LanguageExt;
using Microsoft.FSharp.Collections;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;
using static LanguageExt.Prelude;
using Unit = LanguageExt.Unit;

namespace Hermes.Providers.Config;

/// <summary>$HERMES_HOME/config.yaml: the image_gen section Hermes reads, and dotted get/set that keeps every other key.</summary>
public sealed record HermesConfig(ImageGenSettings ImageGen, string? XaiResolution)
{
    /// <summary>Far above any real config.yaml; a bigger file is not one.</summary>
    public const long MaxBytes = 1024 * 1024;

    /// <summary>Deeper nesting than any real config; the YAML reader recurses per level, so it is refused before reading.</summary>
    public const int MaxDepth = 64;

    public static readonly HermesConfig Empty = new(Dispatch.emptySettings, null);

    /// <summary>image_gen.endpoints, checked by the domain: each a provider of its own.</summary>
    public IReadOnlyList<Endpoint> Endpoints { get; init; } = [];

    private static readonly string[] ImageGenValues = ["provider", "model", "use_gateway"];

    public static string PathIn(string hermesHome) => Path.Combine(hermesHome, "config.yaml");

    /// <summary>The configuration; an absent file is the empty one, an unusable one a <see cref="ConfigError"/> naming the file and the fix.</summary>
    public static Either<ConfigError, HermesConfig> Load(string hermesHome) =>
        from root in LoadDocument(PathIn(hermesHome))
        from config in FromRoot(PathIn(hermesHome), root)
        select config;

    /// <summary>
    /// For commands that can run without config.yaml: the configuration, or the empty one plus the problem to show as a warning.
    /// </summary>
    public static LoadedConfig LoadOrEmpty(string hermesHome) =>
        Load(hermesHome).Match(
            Right: config => new LoadedConfig(config, null),
            Left: problem => new LoadedConfig(Empty, problem));

    private static Either<ConfigError, HermesConfig> FromRoot(string path, YamlMappingNode root) =>
        Child(root, "image_gen") switch
        {
            null or YamlScalarNode { Value: null or "" } => Empty,
            YamlMappingNode imageGen => FromImageGen(path, imageGen),
            _ => WrongShape(path, "image_gen", "a section of keys"),
        };

    private static Either<ConfigError, HermesConfig> FromImageGen(string path, YamlMappingNode imageGen)
    {
        var sections = imageGen.Children
            .Where(kv => kv.Key is YamlScalarNode { Value: not EndpointsKey } && kv.Value is YamlMappingNode)
            .Select(kv => (Name: ((YamlScalarNode)kv.Key).Value ?? "", Section: (YamlMappingNode)kv.Value))
            .ToList();
        var notAValue = ImageGenValues
            .Where(key => Child(imageGen, key) is { } and not YamlScalarNode)
            .Select(key => $"image_gen.{key}")
            .Concat(sections.Where(s => Child(s.Section, "model") is { } and not YamlScalarNode).Select(s => $"image_gen.{s.Name}.model"))
            .HeadOrNone();
        return notAValue.Match(
            Some: key => Left<ConfigError, HermesConfig>(WrongShape(path, key, "a single value")),
            None: () => EndpointsOf(path, Child(imageGen, EndpointsKey)).Map(endpoints => FromSections(imageGen, sections) with { Endpoints = endpoints }));
    }

    private const string EndpointsKey = "endpoints";

    /// <summary>image_gen.endpoints read as the domain's sections and checked there; a bad one is an Invalid config error.</summary>
    private static Either<ConfigError, IReadOnlyList<Endpoint>> EndpointsOf(string path, YamlNode? node)
    {
        switch (node)
        {
            case null or YamlScalarNode { Value: null or "" }:
                return Right<ConfigError, IReadOnlyList<Endpoint>>([]);
            case YamlMappingNode named:
                var sections = new List<EndpointSection>();
                foreach (var (key, value) in named.Children)
                {
                    var name = (key as YamlScalarNode)?.Value ?? "";
                    if (value is not YamlMappingNode fields)
                    {
                        return WrongShape(path, $"image_gen.endpoints.{name}", "a section of base_url, key_env, models, kind");
                    }
                    sections.Add(new EndpointSection(name, ListModule.OfSeq(fields.Children.Select(kv =>
                        System.Tuple.Create((kv.Key as YamlScalarNode)?.Value ?? "", EndpointValueOf(kv.Value))))));
                }
                var parsed = Hermes.Domain.Endpoints.parse(ListModule.OfSeq(sections));
                return parsed.IsOk
                    ? Right<ConfigError, IReadOnlyList<Endpoint>>(parsed.ResultValue.ToList())
                    : new ConfigError(ConfigFailure.Invalid, path, $"{path}: {parsed.ErrorValue}");
            default:
                return WrongShape(path, "image_gen.endpoints", "a section of named endpoints");
        }
    }

    private static EndpointValue EndpointValueOf(YamlNode node) => node switch
    {
        YamlScalarNode scalar => EndpointValue.NewText(scalar.Value ?? ""),
        YamlSequenceNode items when items.Children.All(i => i is YamlScalarNode) =>
            EndpointValue.NewItems(ListModule.OfSeq(items.Children.Select(i => ((YamlScalarNode)i).Value ?? ""))),
        _ => EndpointValue.Section,
    };

    private static HermesConfig FromSections(YamlMappingNode imageGen, IEnumerable<(string Name, YamlMappingNode Section)> sections)
    {
        string? Scalar(YamlMappingNode? node, string key) => (Child(node, key) as YamlScalarNode)?.Value;
        var providerModels = MapModule.OfSeq(sections
            .Select(s => (s.Name, Model: Scalar(s.Section, "model")))
            .Where(s => !string.IsNullOrWhiteSpace(s.Model))
            .Select(s => System.Tuple.Create(s.Name, s.Model!.Trim())));
        var useGateway = Scalar(imageGen, "use_gateway")?.Trim().ToLowerInvariant() is "true" or "yes" or "on" or "1";
        var settings = new ImageGenSettings(
            Fs.Opt(Scalar(imageGen, "provider")?.Trim()),
            Fs.Opt(Scalar(imageGen, "model")?.Trim()),
            providerModels,
            useGateway);
        return new HermesConfig(settings, Scalar(Child(imageGen, "xai") as YamlMappingNode, "resolution")?.Trim());
    }

    private static ConfigError WrongShape(string path, string key, string expected) =>
        new(ConfigFailure.WrongShape, path, $"{path}: {key} must be {expected}; {Fix(path)}");

    private static string Fix(string path) =>
        $"fix {System.IO.Path.GetFileName(path)}, or replace it with `hermes config set KEY VALUE --force`";

    private static YamlNode? Child(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static Either<ConfigError, YamlMappingNode> LoadDocument(string path) =>
        from text in ReadText(path)
        from root in text.Match(Parse(path), () => Right<ConfigError, YamlMappingNode>(new YamlMappingNode()))
        select root;

    private static Either<ConfigError, Option<string>> ReadText(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                return new ConfigError(ConfigFailure.Unreadable, path, $"cannot read {path}: it is a directory; remove it or move it aside");
            }
            if (!File.Exists(path))
            {
                return Option<string>.None;
            }
            if (new FileInfo(path).Length > MaxBytes)
            {
                return new ConfigError(ConfigFailure.Corrupt, path, $"{path} is larger than {MaxBytes} bytes; {Fix(path)}");
            }
            return Some(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ConfigError(ConfigFailure.Unreadable, path, $"cannot read {path}: {e.Message}");
        }
    }

    private static Func<string, Either<ConfigError, YamlMappingNode>> Parse(string path) => text =>
    {
        try
        {
            if (DepthExceeds(text, MaxDepth))
            {
                return new ConfigError(ConfigFailure.Corrupt, path, $"{path} nests sections deeper than {MaxDepth} levels; {Fix(path)}");
            }
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
            {
                return new YamlMappingNode();
            }
            return stream.Documents[0].RootNode is YamlMappingNode mapping
                ? mapping
                : new ConfigError(ConfigFailure.WrongShape, path, $"{path}: the top level must be a mapping of keys; {Fix(path)}");
        }
        catch (YamlException e)
        {
            return new ConfigError(ConfigFailure.Corrupt, path,
                $"{path}: invalid YAML at line {e.Start.Line} ({TerminalText.sanitizeWith(120, e.Message)}); {Fix(path)}");
        }
    };

    /// <summary>Walks the parser's events (which, unlike loading, needs no stack per level) and stops at the first level too deep.</summary>
    private static bool DepthExceeds(string text, int limit)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        while (depth <= limit && parser.MoveNext())
        {
            depth += parser.Current switch
            {
                SequenceStart or MappingStart => 1,
                SequenceEnd or MappingEnd => -1,
                _ => 0,
            };
        }
        return depth > limit;
    }

    private static Either<ConfigError, string[]> ParseKey(string key)
    {
        var parts = (key ?? "").Split('.');
        return parts.Length > 0 && parts.All(p => p.Length > 0 && p.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            ? parts
            : new ConfigError(ConfigFailure.BadKey, key ?? "",
                $"invalid config key '{TerminalText.sanitizeWith(80, key ?? "")}': allowed keys are dotted names such as image_gen.provider");
    }

    /// <summary>The scalar at a dotted key, None when absent.</summary>
    public static Either<HermesError, Option<string>> Get(string hermesHome, string key) =>
        (from parts in ParseKey(key)
         from root in LoadDocument(PathIn(hermesHome))
         select Walk(root, parts))
        .MapLeft(error => error.ToHermesError());

    private static Option<string> Walk(YamlMappingNode root, string[] parts)
    {
        YamlNode? node = root;
        foreach (var part in parts)
        {
            node = Child(node as YamlMappingNode, part);
        }
        return node is YamlScalarNode scalar ? Optional(scalar.Value) : None;
    }

    /// <summary>
    /// Sets a dotted key to a scalar, creating sections as needed; everything else in the file is kept. A config.yaml that
    /// cannot be read is never overwritten, unless <paramref name="force"/>: then it is kept as config.yaml.broken and a new file started.
    /// </summary>
    public static Either<HermesError, Unit> Set(string hermesHome, string key, string value, bool force = false) =>
        (from parts in ParseKey(key)
         from root in LoadDocument(PathIn(hermesHome)).BindLeft(problem => force && problem.Failure != ConfigFailure.Unreadable
             ? SetAside(problem.Path)
             : Left<ConfigError, YamlMappingNode>(problem))
         from written in Write(hermesHome, root, parts, value)
         select written)
        .MapLeft(error => error.ToHermesError());

    private static Either<ConfigError, YamlMappingNode> SetAside(string path)
    {
        try
        {
            File.Move(path, path + ".broken", overwrite: true);
            return new YamlMappingNode();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ConfigError(ConfigFailure.WriteFailed, path, $"could not keep {path} as {path}.broken: {e.Message}");
        }
    }

    private static Either<ConfigError, Unit> Write(string hermesHome, YamlMappingNode root, string[] parts, string value)
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
                    return new ConfigError(ConfigFailure.NotASection, PathIn(hermesHome),
                        $"cannot set '{string.Join('.', parts)}': '{part}' already holds a value, not a section");
            }
        }
        node.Children[new YamlScalarNode(parts[^1])] = new YamlScalarNode(value);
        using var text = new StringWriter();
        new YamlStream(new YamlDocument(root)).Save(text, assignAnchors: false);
        var yaml = text.ToString();
        yaml = yaml.EndsWith("...\n", StringComparison.Ordinal) ? yaml[..^4] : yaml;
        return AtomicFile.Write(PathIn(hermesHome), System.Text.Encoding.UTF8.GetBytes(yaml), mode: null)
            .MapLeft(error => new ConfigError(ConfigFailure.WriteFailed, error.Path, error.Message));
    }
}
