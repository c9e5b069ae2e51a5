namespace Hermes.Providers.Http;

/// <summary>A provider's HTTP answer: the status and the body read through the call's limit.</summary>
internal sealed record HttpAnswer(int Status, ResponseBody Body)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>The body's first 16 KiB as text, for error messages.</summary>
    public string Text => Body.Preview;
}
