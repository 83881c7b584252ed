using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Validation;

namespace OpenDesign.Workflows.Domain.MediaRequests;

/// <summary>
/// The rules of Open Design's media body, field by field in a fixed order, so a caller learns exactly which field is
/// wrong. Open Design's <c>image</c> (a project-relative reference image) becomes a project-file input reference after
/// the given ones; unknown keys are dropped by the binding.
/// </summary>
public sealed class MediaGenerateParser : IBodyValidator<MediaGenerateRequest>
{
    public const int MaxPromptLength = 32_000;
    public const int MaxInputRefs = 32;
    private const string SurfaceMessage = "surface must be image, video, or audio";
    private const string RefsMessage = "inputRefs must be an array of {kind, ref}";
    // Built once: every valid body passes it to the rule, and an interpolated string is built anew on each call.
    private static readonly string PromptMessage = $"prompt must be a string of at most {MaxPromptLength} characters";

    public static MediaGenerateParser Instance { get; } = new();

    public JsonTypeInfo<MediaGenerateRequest> Type => OdJsonContext.Default.MediaGenerateRequest;

    public string NotAnObject => "request body must be a JSON object";

    /// <summary>Binds and checks a body given as a JSON value (as the domain tests hand it).</summary>
    public static MediaGenerateRequest Parse(JsonElement body) => BodyBinder.Bind(Encoding.UTF8.GetBytes(body.GetRawText()), Instance);

    public MediaGenerateRequest Validate(MediaGenerateRequest body, WrongTypes wrong)
    {
        var surface = FieldRules.Text(body.Surface, wrong.At("$.surface"), "surface", 16, SurfaceMessage);
        if (surface is null || !MediaSurfaces.All.Contains(surface)) throw Bad(SurfaceMessage);

        var prompt = FieldRules.Text(body.Prompt, wrong.At("$.prompt"), "prompt", MaxPromptLength, PromptMessage);
        if (string.IsNullOrWhiteSpace(prompt)) throw Bad("prompt is required");

        var model = FieldRules.Text(body.Model, wrong.At("$.model"), "model", 200);
        if (model is not null && model.Trim().Length == 0) throw Bad("model must be a non-empty string when provided");

        var audioKind = FieldRules.Text(body.AudioKind, wrong.At("$.audioKind"), "audioKind", 16);
        if (audioKind is not null && audioKind is not ("music" or "speech" or "sfx")) throw Bad("audioKind must be music, speech, or sfx");

        var refs = InputRefs(body.InputRefs, wrong);
        if (FieldRules.Text(body.Image, wrong.At("$.image"), "image", 1024) is { Length: > 0 } image)
        {
            refs.Add(new InputRef(InputRefKinds.ProjectFile, image));
        }

        return new MediaGenerateRequest(
            Surface: surface,
            Prompt: prompt,
            Model: model?.Trim(),
            Output: FieldRules.Text(body.Output, wrong.At("$.output"), "output", 255),
            Aspect: FieldRules.Text(body.Aspect, wrong.At("$.aspect"), "aspect", 32),
            Length: Number(body.Length, wrong.At("$.length"), "length"),
            Duration: Number(body.Duration, wrong.At("$.duration"), "duration"),
            AudioKind: audioKind,
            Voice: FieldRules.Text(body.Voice, wrong.At("$.voice"), "voice", 200),
            Language: FieldRules.Text(body.Language, wrong.At("$.language"), "language", 64),
            InputRefs: refs.Count > 0 ? refs : null);
    }

    private static List<InputRef> InputRefs(IReadOnlyList<InputRef?>? given, WrongTypes wrong)
    {
        if (wrong.At("$.inputRefs")) throw Bad(RefsMessage);
        var list = new List<InputRef>();
        if (given is null) return list;
        for (var i = 0; i < given.Count; i++)
        {
            if (i >= MaxInputRefs) throw Bad($"inputRefs may hold at most {MaxInputRefs} entries");
            var at = $"$.inputRefs[{i}]";
            if (given[i] is not { } item || wrong.At(at)) throw Bad(RefsMessage);
            var kindMessage = $"inputRefs[{i}].kind must be project-file, artifact, or media-request";
            var kind = FieldRules.Text(item.Kind, wrong.At(at + ".kind"), "kind", 32, kindMessage);
            if (kind is null || !InputRefKinds.All.Contains(kind)) throw Bad(kindMessage);
            var refMessage = $"inputRefs[{i}].ref must be a non-empty string";
            var reference = FieldRules.Text(item.Ref, wrong.At(at + ".ref"), "ref", 1024, refMessage);
            if (string.IsNullOrWhiteSpace(reference)) throw Bad(refMessage);
            list.Add(new InputRef(kind, reference));
        }
        return list;
    }

    private static double? Number(double? value, bool wrongType, string name)
    {
        if (wrongType || value is { } v && (!double.IsFinite(v) || v < 0)) throw Bad($"{name} must be a non-negative number");
        return value;
    }

    private static DomainException Bad(string message) => DomainException.Invalid(message);
}
