using Hermes.Domain;

namespace Hermes.Providers.Http;

/// <summary>One request a provider asks the transport to send; the content is rebuilt for each attempt.</summary>
internal sealed record HttpCall(HttpMethod Method, string Url, string Label)
{
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    public Func<HttpContent>? Content { get; init; }

    /// <summary>The most the answer's body may hold.</summary>
    public long BodyLimit { get; init; } = Limits.maxJsonBytes;

    /// <summary>A deadline shorter than the transport's, for calls that must be quick (sign-in endpoints).</summary>
    public TimeSpan? Deadline { get; init; }

    public HttpCall WithHeader(string name, string value) => this with { Headers = [.. Headers, new(name, value)] };

    public static HttpCall Get(string url, string label) => new(HttpMethod.Get, url, label);

    public static HttpCall PostJson(string url, string label, System.Text.Json.Nodes.JsonNode body)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(body.ToJsonString());
        return new HttpCall(HttpMethod.Post, url, label)
        {
            Content = () => new ByteArrayContent(bytes) { Headers = { ContentType = new("application/json") { CharSet = "utf-8" } } },
        };
    }

    /// <summary>A multipart/form-data POST; the form is rebuilt (same parts, new boundary) for each attempt.</summary>
    public static HttpCall PostMultipart(string url, string label, IReadOnlyList<MultipartPart> parts) =>
        new(HttpMethod.Post, url, label)
        {
            Content = () =>
            {
                var form = new MultipartFormDataContent();
                foreach (var part in parts)
                {
                    var content = new ByteArrayContent(part.Bytes);
                    if (part.ContentType is { } type)
                    {
                        content.Headers.ContentType = new(type);
                    }
                    if (part.FileName is { } fileName)
                    {
                        form.Add(content, part.Name, fileName);
                    }
                    else
                    {
                        form.Add(content, part.Name);
                    }
                }
                return form;
            },
        };
}
