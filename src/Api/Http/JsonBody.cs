using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;

namespace OpenDesign.Workflows.Api.Http;

/// <summary>
/// Reads a request body as one JSON value, within a size limit, so handlers can check fields one by one and name the
/// bad one (the framework's binder answers a type mismatch with a bare 400).
/// </summary>
internal static class JsonBody
{
    public static async Task<JsonElement?> ReadAsync(HttpRequest request, int maxBytes, bool optional = false)
    {
        if (request.ContentLength > maxBytes) throw TooLarge(maxBytes);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > maxBytes) throw TooLarge(maxBytes);
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0 || buffer.ToArray().All(b => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
        {
            if (optional) return null;
            throw DomainException.BadRequest("a JSON body is required");
        }
        try
        {
            using var doc = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 32 });
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw DomainException.BadRequest("the request body is not valid JSON");
        }
    }

    public static async Task<JsonElement> ReadObjectAsync(HttpRequest request, int maxBytes, bool optional = false)
    {
        var value = await ReadAsync(request, maxBytes, optional);
        if (value is null) return EmptyObject;
        if (value.Value.ValueKind != JsonValueKind.Object) throw DomainException.BadRequest("the request body must be a JSON object");
        return value.Value;
    }

    public static string? OptionalString(JsonElement obj, string name, int maxLength)
    {
        if (!obj.TryGetProperty(name, out var el) || el.ValueKind == JsonValueKind.Null) return null;
        if (el.ValueKind != JsonValueKind.String) throw DomainException.BadRequest($"{name} must be a string");
        var value = el.GetString()!;
        if (value.Length > maxLength) throw DomainException.BadRequest($"{name} must be at most {maxLength} characters");
        return value;
    }

    public static string RequiredString(JsonElement obj, string name, int maxLength)
    {
        var value = OptionalString(obj, name, maxLength);
        if (string.IsNullOrWhiteSpace(value)) throw DomainException.BadRequest($"{name} is required");
        return value;
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private static DomainException TooLarge(int maxBytes) =>
        new(413, ErrorCodes.PayloadTooLarge, $"the JSON body is larger than the limit of {maxBytes} bytes");
}
