using System.Text.Json;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Domain.MediaRequests;

/// <summary>
/// Checks Open Design's media body field by field, so a caller learns exactly which field is wrong. Open Design's
/// <c>image</c> (a project-relative reference image) becomes a project-file input reference; other unknown keys are dropped.
/// </summary>
public static class MediaGenerateParser
{
    public const int MaxPromptLength = 32_000;
    public const int MaxInputRefs = 32;

    public static MediaGenerateRequest Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object) throw Bad("request body must be a JSON object");

        var surface = Text(body, "surface", 16, "surface must be image, video, or audio");
        if (surface is null || !MediaSurfaces.All.Contains(surface)) throw Bad("surface must be image, video, or audio");

        var prompt = Text(body, "prompt", MaxPromptLength, $"prompt must be a string of at most {MaxPromptLength} characters");
        if (string.IsNullOrWhiteSpace(prompt)) throw Bad("prompt is required");

        var model = Text(body, "model", 200);
        if (model is not null && model.Trim().Length == 0) throw Bad("model must be a non-empty string when provided");

        var audioKind = Text(body, "audioKind", 16);
        if (audioKind is not null && audioKind is not ("music" or "speech" or "sfx")) throw Bad("audioKind must be music, speech, or sfx");

        var refs = InputRefs(body);
        if (Text(body, "image", 1024) is { Length: > 0 } image)
        {
            refs.Add(new InputRef(InputRefKinds.ProjectFile, image));
        }

        return new MediaGenerateRequest(
            Surface: surface,
            Prompt: prompt,
            Model: model?.Trim(),
            Output: Text(body, "output", 255),
            Aspect: Text(body, "aspect", 32),
            Length: Number(body, "length"),
            Duration: Number(body, "duration"),
            AudioKind: audioKind,
            Voice: Text(body, "voice", 200),
            Language: Text(body, "language", 64),
            InputRefs: refs.Count > 0 ? refs : null);
    }

    private static List<InputRef> InputRefs(JsonElement body)
    {
        var list = new List<InputRef>();
        if (!body.TryGetProperty("inputRefs", out var el) || el.ValueKind == JsonValueKind.Null) return list;
        if (el.ValueKind != JsonValueKind.Array) throw Bad("inputRefs must be an array of {kind, ref}");
        var i = 0;
        foreach (var item in el.EnumerateArray())
        {
            if (i >= MaxInputRefs) throw Bad($"inputRefs may hold at most {MaxInputRefs} entries");
            if (item.ValueKind != JsonValueKind.Object) throw Bad("inputRefs must be an array of {kind, ref}");
            var kind = Text(item, "kind", 32, $"inputRefs[{i}].kind must be project-file, artifact, or media-request");
            if (kind is null || !InputRefKinds.All.Contains(kind)) throw Bad($"inputRefs[{i}].kind must be project-file, artifact, or media-request");
            var reference = Text(item, "ref", 1024, $"inputRefs[{i}].ref must be a non-empty string");
            if (string.IsNullOrWhiteSpace(reference)) throw Bad($"inputRefs[{i}].ref must be a non-empty string");
            list.Add(new InputRef(kind, reference));
            i++;
        }
        return list;
    }

    private static string? Text(JsonElement obj, string name, int maxLength, string? message = null)
    {
        if (!obj.TryGetProperty(name, out var el) || el.ValueKind == JsonValueKind.Null) return null;
        if (el.ValueKind != JsonValueKind.String) throw Bad(message ?? $"{name} must be a string");
        var value = JsonText.Read(el);
        if (value.Length > maxLength) throw Bad(message ?? $"{name} must be at most {maxLength} characters");
        return value;
    }

    private static double? Number(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var el) || el.ValueKind == JsonValueKind.Null) return null;
        if (el.ValueKind != JsonValueKind.Number || !el.TryGetDouble(out var value) || !double.IsFinite(value) || value < 0)
        {
            throw Bad($"{name} must be a non-negative number");
        }
        return value;
    }

    private static DomainException Bad(string message) => DomainException.Invalid(message);
}
