using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace OpenDesign.Workflows.Domain.Validation;

/// <summary>
/// Binds JSON to a record through its source-generated contract, collecting every value of the wrong type (see
/// <see cref="WrongTypes"/>) instead of failing on the first: each such value is set to null and the body bound again,
/// so the validator still sees every other field. The common case (no wrong type) binds once.
/// </summary>
public static class JsonBinding
{
    /// <summary>Bounds the re-binding of a hostile body with many wrong values; the rest are then not reported.</summary>
    private const int MaxWrongValues = 64;

    /// <summary>The record (null for JSON <c>null</c>, or when the whole value has the wrong type: then <c>$</c> is listed).</summary>
    public static (T? Value, WrongTypes Wrong) Bind<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> type) where T : class
    {
        try
        {
            return (JsonSerializer.Deserialize(json, type), WrongTypes.None);
        }
        catch (JsonException e) when (e.Path is not null)
        {
            return BindAround(JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = JsonText.MaxDepth }), type, e.Path);
        }
    }

    private static (T? Value, WrongTypes Wrong) BindAround<T>(JsonNode? root, JsonTypeInfo<T> type, string firstPath) where T : class
    {
        var paths = new HashSet<string>(StringComparer.Ordinal) { firstPath };
        var path = firstPath;
        while (true)
        {
            if (path == "$" || paths.Count > MaxWrongValues || !TrySetNull(root, path)) return (null, new WrongTypes(paths));
            try
            {
                return (root.Deserialize(type), new WrongTypes(paths));
            }
            catch (JsonException e) when (e.Path is not null && paths.Add(e.Path))
            {
                path = e.Path;
            }
        }
    }

    /// <summary>Replaces the value at a serializer path (<c>$.a.b[2].c</c>; only the record's own member names occur) with null.</summary>
    private static bool TrySetNull(JsonNode? root, string path)
    {
        var node = root;
        var i = 1;
        while (node is not null && i < path.Length)
        {
            string? name = null;
            var index = -1;
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                if (end < 0) end = path.Length;
                name = path[(i + 1)..end];
                i = end;
            }
            else if (path[i] == '[' && path.IndexOf(']', i) is var close and > 0
                     && int.TryParse(path.AsSpan(i + 1, close - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out index))
            {
                i = close + 1;
            }
            else
            {
                return false;
            }
            var last = i >= path.Length;
            switch (node)
            {
                case JsonObject obj when name is not null && obj.ContainsKey(name):
                    if (last)
                    {
                        obj[name] = null;
                        return true;
                    }
                    node = obj[name];
                    break;
                case JsonArray array when name is null && index < array.Count:
                    if (last)
                    {
                        array[index] = null;
                        return true;
                    }
                    node = array[index];
                    break;
                default:
                    return false;
            }
        }
        return false;
    }
}
