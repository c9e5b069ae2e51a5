namespace Hermes.Providers.Config;

/// <summary>What is wrong with config.yaml or with a change to it.</summary>
public enum ConfigFailure
{
    /// <summary>The file exists but cannot be read (permissions, a directory in its place, an I/O error).</summary>
    Unreadable,

    /// <summary>Not YAML Hermes can read (syntax, too large, nested too deeply).</summary>
    Corrupt,

    /// <summary>YAML whose known parts have the wrong form (a list where a section or a value belongs).</summary>
    WrongShape,

    /// <summary>A value Hermes reads is not allowed (an endpoint's name, base_url, key_env, kind or models); nothing is sent.</summary>
    Invalid,

    /// <summary>A dotted key that is not one (config get/set).</summary>
    BadKey,

    /// <summary>config set through a key that already holds a value, not a section.</summary>
    NotASection,

    /// <summary>The atomic replacement failed.</summary>
    WriteFailed,
}
