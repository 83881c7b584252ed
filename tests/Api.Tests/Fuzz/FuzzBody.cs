using System.Text;
using System.Text.Json.Nodes;

namespace OpenDesign.Workflows.Api.Tests.Fuzz;

/// <summary>A piece of a JSON body as raw bytes (so it can be invalid UTF-8 or an escaped lone surrogate), and its printable name.</summary>
public sealed record Fragment(string Name, byte[] Bytes)
{
    public static Fragment Json(string json) => new(json.Length > 60 ? $"{json[..40]}…({json.Length} chars)" : json, Encoding.UTF8.GetBytes(json));

    public override string ToString() => Name;
}

public enum MutationKind
{
    Remove,
    Replace,
    AddProperty,
    DuplicateFirstKey,
    Truncate,
    InsertByte,
}

/// <summary>One change to a known-good body; <see cref="Target"/> picks the node (or byte) modulo how many there are.</summary>
public sealed record Mutation(MutationKind Kind, int Target, Fragment Value, string Name)
{
    public override string ToString() => Kind switch
    {
        MutationKind.Remove => $"remove #{Target}",
        MutationKind.Replace => $"#{Target} := {Value}",
        MutationKind.AddProperty => $"add \"{Name}\": {Value}",
        MutationKind.DuplicateFirstKey => $"duplicate first key := {Value}",
        MutationKind.Truncate => $"truncate at {Target}",
        _ => $"insert byte 0x{Target & 0xFF:X2}",
    };
}

/// <summary>What a fuzzed request carries as its body.</summary>
public abstract record BodySpec
{
    public abstract byte[]? Bytes(string? template, Func<string, string> resolve);
}

public sealed record NoBody : BodySpec
{
    public override byte[]? Bytes(string? template, Func<string, string> resolve) => null;

    public override string ToString() => "no body";
}

public sealed record ProperBody : BodySpec
{
    public override byte[]? Bytes(string? template, Func<string, string> resolve) => template is null ? null : Encoding.UTF8.GetBytes(resolve(template));

    public override string ToString() => "the known-good body";
}

public sealed record RawBody(byte[] Raw, string Name) : BodySpec
{
    public override byte[]? Bytes(string? template, Func<string, string> resolve) => Raw;

    public override string ToString() => Name;
}

/// <summary>The endpoint's known-good body with a few mutations applied in order (an endpoint without one starts from <c>{}</c>).</summary>
public sealed record MutatedBody(Mutation[] Mutations) : BodySpec
{
    private const string Marker = "@@FRAGMENT_";

    public override byte[]? Bytes(string? template, Func<string, string> resolve)
    {
        var root = JsonNode.Parse(resolve(template ?? "{}"))!;
        var fragments = new List<Fragment>();
        byte[]? text = null;
        foreach (var m in Mutations)
        {
            if (text is null && m.Kind is MutationKind.Remove or MutationKind.Replace or MutationKind.AddProperty)
            {
                ApplyToTree(root, m, fragments);
                continue;
            }
            text ??= Render(root, fragments);
            text = ApplyToText(text, m);
        }
        return text ?? Render(root, fragments);
    }

    public override string ToString() => $"known-good body with [{string.Join("; ", Mutations.Select(m => m.ToString()))}]";

    private static void ApplyToTree(JsonNode root, Mutation m, List<Fragment> fragments)
    {
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        if (m.Kind == MutationKind.AddProperty)
        {
            var objects = nodes.OfType<JsonObject>().Prepend(root as JsonObject).OfType<JsonObject>().ToList();
            if (objects.Count == 0) return;
            objects[Math.Abs(m.Target % objects.Count)][m.Name] = Mark(m.Value, fragments);
            return;
        }
        if (nodes.Count == 0) return;
        var node = nodes[Math.Abs(m.Target % nodes.Count)];
        var parent = node.Parent!;
        if (parent is JsonObject obj)
        {
            var name = node.GetPropertyName();
            if (m.Kind == MutationKind.Remove) obj.Remove(name);
            else obj[name] = Mark(m.Value, fragments);
        }
        else if (parent is JsonArray array)
        {
            var index = node.GetElementIndex();
            if (m.Kind == MutationKind.Remove) array.RemoveAt(index);
            else array[index] = Mark(m.Value, fragments);
        }
    }

    private static void Collect(JsonNode? node, List<JsonNode> into)
    {
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (var child in children)
        {
            if (child is null) continue;
            into.Add(child);
            Collect(child, into);
        }
    }

    private static JsonNode Mark(Fragment value, List<Fragment> fragments)
    {
        fragments.Add(value);
        return JsonValue.Create($"{Marker}{fragments.Count - 1}@@");
    }

    private static byte[] Render(JsonNode root, List<Fragment> fragments)
    {
        var bytes = Encoding.UTF8.GetBytes(root.ToJsonString());
        for (var i = 0; i < fragments.Count; i++)
        {
            var marker = Encoding.UTF8.GetBytes($"\"{Marker}{i}@@\"");
            var at = bytes.AsSpan().IndexOf(marker);
            if (at >= 0) bytes = [.. bytes.AsSpan(0, at), .. fragments[i].Bytes, .. bytes.AsSpan(at + marker.Length)];
        }
        return bytes;
    }

    private static byte[] ApplyToText(byte[] text, Mutation m)
    {
        switch (m.Kind)
        {
            case MutationKind.DuplicateFirstKey:
                var open = Array.IndexOf(text, (byte)'{');
                var quote = open < 0 ? -1 : Array.IndexOf(text, (byte)'"', open);
                var close = quote < 0 ? -1 : Array.IndexOf(text, (byte)'"', quote + 1);
                if (close < 0) return text;
                return [.. text.AsSpan(0, open + 1), .. text.AsSpan(quote, close - quote + 1), (byte)':', .. m.Value.Bytes, (byte)',', .. text.AsSpan(open + 1)];
            case MutationKind.Truncate:
                return text.Length == 0 ? text : text[..Math.Abs(m.Target % text.Length)];
            case MutationKind.InsertByte:
                var at = text.Length == 0 ? 0 : Math.Abs((m.Target >> 8) % text.Length);
                return [.. text.AsSpan(0, at), (byte)(m.Target & 0xFF), .. text.AsSpan(at)];
            default:
                return text;
        }
    }
}
