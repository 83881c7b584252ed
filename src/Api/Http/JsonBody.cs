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
    private const int MaxDepth = 32;

    public static async Task<JsonElement?> ReadAsync(HttpRequest request, int maxBytes, bool optional = false)
    {
        if (request.ContentLength > maxBytes) throw TooLarge(maxBytes);
        var ct = request.HttpContext.RequestAborted;
        // A declared length is read in one buffer of that size; otherwise the buffer grows up to the limit.
        var buffer = new byte[request.ContentLength is { } declared ? (int)declared : 4096];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length >= maxBytes)
                {
                    if (await request.Body.ReadAsync(new byte[1], ct) == 0) break;
                    throw TooLarge(maxBytes);
                }
                Array.Resize(ref buffer, Math.Min(maxBytes, Math.Max(4096, buffer.Length * 2)));
            }
            var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
            if (read == 0) break;
            length += read;
        }
        var json = buffer.AsMemory(0, length);
        if (json.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            if (optional) return null;
            throw DomainException.Invalid("a JSON body is required");
        }
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth });
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw DomainException.Invalid("the request body is not valid JSON");
        }
        // Once for the whole body, so no handler or parser meets a string it cannot read, ignored fields included.
        JsonText.EnsureValid(json.Span, MaxDepth);
        return root;
    }

    public static async Task<JsonElement> ReadObjectAsync(HttpRequest request, int maxBytes, bool optional = false)
    {
        var value = await ReadAsync(request, maxBytes, optional);
        if (value is null) return EmptyObject;
        if (value.Value.ValueKind != JsonValueKind.Object) throw DomainException.Invalid("the request body must be a JSON object");
        return value.Value;
    }

    public static string? OptionalString(JsonElement obj, string name, int maxLength)
    {
        if (!obj.TryGetProperty(name, out var el) || el.ValueKind == JsonValueKind.Null) return null;
        if (el.ValueKind != JsonValueKind.String) throw DomainException.Invalid($"{name} must be a string");
        var value = JsonText.Read(el);
        if (value.Length > maxLength) throw DomainException.Invalid($"{name} must be at most {maxLength} characters");
        return value;
    }

    public static string RequiredString(JsonElement obj, string name, int maxLength)
    {
        var value = OptionalString(obj, name, maxLength);
        if (string.IsNullOrWhiteSpace(value)) throw DomainException.Invalid($"{name} is required");
        return value;
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private static DomainException TooLarge(int maxBytes) =>
        new(DomainErrorKind.TooLarge, ErrorCodes.PayloadTooLarge, $"the JSON body is larger than the limit of {maxBytes} bytes");
}
