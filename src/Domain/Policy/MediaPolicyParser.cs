using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Validation;

namespace OpenDesign.Workflows.Domain.Policy;

/// <summary>
/// Judges a caller's bound <c>mediaExecution</c> into the effective policy, in a fixed order: mode, surfaces, models,
/// executor. Messages are Open Design's own where it has one (<c>parseMediaExecutionPolicyInput</c>), extended for the
/// two modes it never shipped. Its lenient rules hold: a non-string mode is enabled (the binding reads it as null), and
/// unknown keys are dropped.
/// </summary>
public static partial class MediaPolicyParser
{
    public const string ModeMessage = "mediaExecution.mode must be enabled, disabled, request-only, or external";

    /// <summary>Binds and judges the JSON value of <c>mediaExecution</c>; a missing or null value is the default enabled policy.</summary>
    public static MediaExecutionPolicy Parse(JsonElement? input)
    {
        if (input is not { } value || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return MediaExecutionPolicy.Default;
        var json = Encoding.UTF8.GetBytes(value.GetRawText());
        JsonText.EnsureValid(json);
        var (policy, wrong) = JsonBinding.Bind(json, OdJsonContext.Default.MediaExecutionPolicy);
        return Validate(policy, wrong, "$");
    }

    /// <summary>The effective policy of a bound <c>mediaExecution</c> found at <paramref name="at"/> (a JSON path) in its body.</summary>
    public static MediaExecutionPolicy Validate(MediaExecutionPolicy? input, WrongTypes wrong, string at)
    {
        if (wrong.At(at)) throw Bad("mediaExecution must be an object when provided");
        if (input is null) return MediaExecutionPolicy.Default;

        var mode = input.Mode ?? MediaExecutionModes.Enabled;
        if (!MediaExecutionModes.All.Contains(mode)) throw Bad(ModeMessage);

        var surfaces = Surfaces(input.AllowedSurfaces, wrong, at + ".allowedSurfaces");
        var models = Models(input.AllowedModels, wrong, at + ".allowedModels");
        var executor = Executor(input.ExternalExecutor, wrong, at + ".externalExecutor", mode);
        return new MediaExecutionPolicy(mode, surfaces, models, executor);
    }

    private static List<string>? Surfaces(IReadOnlyList<string?>? given, WrongTypes wrong, string at)
    {
        if (wrong.At(at)) throw Bad("mediaExecution.allowedSurfaces must be an array");
        if (given is null) return null;
        if (wrong.Within(at)) throw Bad("mediaExecution.allowedSurfaces may only include image, video, or audio");
        var list = new List<string>();
        foreach (var surface in given)
        {
            if (surface is null || !MediaSurfaces.All.Contains(surface)) throw Bad("mediaExecution.allowedSurfaces may only include image, video, or audio");
            if (!list.Contains(surface)) list.Add(surface);
        }
        return list;
    }

    private static List<string>? Models(IReadOnlyList<string?>? given, WrongTypes wrong, string at)
    {
        if (wrong.At(at)) throw Bad("mediaExecution.allowedModels must be an array");
        if (given is null) return null;
        if (wrong.Within(at)) throw Bad("mediaExecution.allowedModels must contain non-empty strings");
        var list = new List<string>();
        foreach (var item in given)
        {
            var model = item?.Trim() ?? "";
            if (model.Length == 0) throw Bad("mediaExecution.allowedModels must contain non-empty strings");
            if (!list.Contains(model, StringComparer.Ordinal)) list.Add(model);
        }
        return list;
    }

    private static ExternalExecutorRef? Executor(ExternalExecutorRef? given, WrongTypes wrong, string at, string mode)
    {
        var present = given is not null || wrong.Within(at);
        if (mode != MediaExecutionModes.External)
        {
            if (present) throw Bad("mediaExecution.externalExecutor is only allowed when mode is external");
            return null;
        }
        if (!present) throw Bad("mediaExecution.externalExecutor is required when mode is external");
        if (wrong.At(at) || given is null) throw Bad("mediaExecution.externalExecutor must be an object");

        if (wrong.At(at + ".kind") || given.Kind != "http") throw Bad("mediaExecution.externalExecutor.kind must be http");
        const string idMessage = "mediaExecution.externalExecutor.id must be a non-empty string";
        var id = FieldRules.Text(given.Id, wrong.At(at + ".id"), "id", 200, idMessage);
        if (id is not null && id.Trim().Length == 0) throw Bad(idMessage);
        var endpoint = HttpUrl(given.Endpoint, wrong, at, "endpoint") ?? throw Bad(UrlMessage("endpoint"));
        var cancel = HttpUrl(given.CancelEndpoint, wrong, at, "cancelEndpoint");
        var auth = Auth(given.Auth, wrong, at + ".auth");
        return new ExternalExecutorRef("http", endpoint, id?.Trim(), cancel, auth);
    }

    private static ExecutorAuth? Auth(ExecutorAuth? given, WrongTypes wrong, string at)
    {
        if (wrong.At(at)) throw Bad("mediaExecution.externalExecutor.auth must be an object");
        if (given is null) return null;
        const string kindMessage = "mediaExecution.externalExecutor.auth.kind must be none, bearer-env, or header-env";
        var kind = wrong.At(at + ".kind") ? null : given.Kind;
        if (kind is not (ExecutorAuthKinds.None or ExecutorAuthKinds.BearerEnv or ExecutorAuthKinds.HeaderEnv)) throw Bad(kindMessage);
        if (kind == ExecutorAuthKinds.None) return new ExecutorAuth(kind);

        // The policy names a variable of the service's environment; a secret value never travels in a request.
        if (wrong.At(at + ".env") || given.Env is not { } env || !EnvName().IsMatch(env))
        {
            throw Bad("mediaExecution.externalExecutor.auth.env must be an environment variable name");
        }
        string? header = null;
        if (kind == ExecutorAuthKinds.HeaderEnv)
        {
            header = wrong.At(at + ".header") ? null : given.Header;
            if (header is null || !HeaderName().IsMatch(header) || header.Equals("Idempotency-Key", StringComparison.OrdinalIgnoreCase))
            {
                throw Bad("mediaExecution.externalExecutor.auth.header must be an HTTP header name");
            }
        }
        return new ExecutorAuth(kind, env, header);
    }

    private static string? HttpUrl(string? text, WrongTypes wrong, string at, string name)
    {
        if (wrong.At(at + "." + name)) throw Bad(UrlMessage(name));
        if (text is null) return null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host)
            || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw Bad(UrlMessage(name));
        }
        return uri.AbsoluteUri;
    }

    private static string UrlMessage(string name) => $"mediaExecution.externalExecutor.{name} must be an absolute http or https URL";

    private static DomainException Bad(string message) => DomainException.Invalid(message);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
    private static partial Regex EnvName();

    // RFC 9110 token characters.
    [GeneratedRegex(@"^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$")]
    private static partial Regex HeaderName();
}
