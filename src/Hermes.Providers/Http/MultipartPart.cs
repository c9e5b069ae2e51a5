namespace Hermes.Providers.Http;

/// <summary>One part of a multipart/form-data body: a text field, or a file with its own name and content type.</summary>
internal sealed record MultipartPart(string Name, byte[] Bytes, string? FileName, string? ContentType)
{
    public static MultipartPart Text(string name, string value) => new(name, System.Text.Encoding.UTF8.GetBytes(value), null, null);

    public static MultipartPart File(string name, string fileName, string contentType, byte[] bytes) => new(name, bytes, fileName, contentType);
}
