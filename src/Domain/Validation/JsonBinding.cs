using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OpenDesign.Workflows.Domain.Validation;

/// <summary>
/// Binds JSON to a record through its source-generated contract, collecting every value of the wrong type (see
/// <see cref="WrongTypes"/>) instead of failing on the first: each such value is set to null and the body bound again (at most 32 times),
/// so the validator still sees every other field. The common case (no wrong type) binds once.
/// </summary>
public static class JsonBinding
{
    /// <summary>Bounds the re-binding of a hostile body with many wrong values; the rest are then not reported.</summary>
    private const int MaxWrongValues = 32;

    /// <summary>The record (null for JSON <c>null</c>, or when the whole value has the wrong type: then <c>$</c> is listed).</summary>
    public static (T? Value, WrongTypes Wrong) Bind<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> type) where T : class
    {
        try
        {
            return (JsonSerializer.Deserialize(json, type), WrongTypes.None);
        }
        catch (JsonException e) when (e.Path is not null)
        {
            return BindAround(json.ToArray(), type, e.Path);
        }
    }

    private static (T? Value, WrongTypes Wrong) BindAround<T>(byte[] json, JsonTypeInfo<T> type, string firstPath) where T : class
    {
        var paths = new HashSet<string>(StringComparer.Ordinal) { firstPath };
        var path = firstPath;
        while (true)
        {
            if (path == "$" || paths.Count > MaxWrongValues || WithNullAt(json, path) is not { } patched) return (null, new WrongTypes(paths));
            json = patched;
            try
            {
                return (JsonSerializer.Deserialize(json, type), new WrongTypes(paths));
            }
            catch (JsonException e) when (e.Path is not null && paths.Add(e.Path))
            {
                path = e.Path;
            }
        }
    }

    /// <summary>
    /// The JSON with every value at a serializer path (<c>$.a.b[2].c</c>) replaced by null, or null when nothing is
    /// there. Every occurrence, because a repeated member name leaves open which one the serializer refused.
    /// </summary>
    private static byte[]? WithNullAt(byte[] json, string path)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = JsonText.MaxDepth });
        var buffer = new ArrayBufferWriter<byte>(json.Length);
        var found = false;
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(document.RootElement, "$", path, writer, ref found);
        }
        return found ? buffer.WrittenSpan.ToArray() : null;
    }

    private static void Write(JsonElement element, string at, string target, Utf8JsonWriter writer, ref bool found)
    {
        if (at == target)
        {
            writer.WriteNullValue();
            found = true;
            return;
        }
        if (!target.StartsWith(at, StringComparison.Ordinal))
        {
            element.WriteTo(writer);
            return;
        }
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    // The serializer writes a plain member name after a dot; any other name can never be the target.
                    var simple = property.Name.Length > 0 && property.Name.All(char.IsAsciiLetterOrDigit);
                    Write(property.Value, simple ? $"{at}.{property.Name}" : "", target, writer, ref found);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Write(item, string.Create(CultureInfo.InvariantCulture, $"{at}[{i++}]"), target, writer, ref found);
                }
                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
