using System.Text.Json;
using System.Text.RegularExpressions;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Domain.Policy;

/// <summary>
/// Validates a caller's <c>mediaExecution</c> into the effective policy. Messages are Open Design's own where it
/// has one (<c>parseMediaExecutionPolicyInput</c>), extended for the two modes it never shipped.
/// </summary>
public static partial class MediaPolicyParser
{
    public const string ModeMessage = "mediaExecution.mode must be enabled, disabled, request-only, or external";

    /// <summary>Parses the JSON value of <c>mediaExecution</c>; a missing or null value is the default enabled policy.</summary>
    public static MediaExecutionPolicy Parse(JsonElement? input)
    {
        if (input is not { } value || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return MediaExecutionPolicy.Default;
        }
        if (value.ValueKind != JsonValueKind.Object) throw Bad("mediaExecution must be an object when provided");

        // Open Design treats a non-string mode as "enabled"; only an unknown string is an error.
        var mode = MediaExecutionModes.Enabled;
        if (value.TryGetProperty("mode", out var modeEl) && modeEl.ValueKind == JsonValueKind.String)
        {
            mode = JsonText.Read(modeEl);
            if (!MediaExecutionModes.All.Contains(mode)) throw Bad(ModeMessage);
        }

        var surfaces = ParseSurfaces(value);
        var models = ParseModels(value);
        var executor = ParseExecutor(value, mode);
        return new MediaExecutionPolicy(mode, surfaces, models, executor);
    }

    private static List<string>? ParseSurfaces(JsonElement policy)
    {
        if (!policy.TryGetProperty("allowedSurfaces", out var el) || el.ValueKind is JsonValueKind.Null) return null;
        if (el.ValueKind != JsonValueKind.Array) throw Bad("mediaExecution.allowedSurfaces must be an array");
        var list = new List<string>();
        foreach (var item in el.EnumerateArray())
        {
            var surface = item.ValueKind == JsonValueKind.String ? JsonText.Read(item) : null;
            if (surface is null || !MediaSurfaces.All.Contains(surface))
            {
                throw Bad("mediaExecution.allowedSurfaces may only include image, video, or audio");
            }
            if (!list.Contains(surface)) list.Add(surface);
        }
        return list;
    }

    private static List<string>? ParseModels(JsonElement policy)
    {
        if (!policy.TryGetProperty("allowedModels", out var el) || el.ValueKind is JsonValueKind.Null) return null;
        if (el.ValueKind != JsonValueKind.Array) throw Bad("mediaExecution.allowedModels must be an array");
        var list = new List<string>();
        foreach (var item in el.EnumerateArray())
        {
            var model = item.ValueKind == JsonValueKind.String ? JsonText.Read(item).Trim() : "";
            if (model.Length == 0) throw Bad("mediaExecution.allowedModels must contain non-empty strings");
            if (!list.Contains(model, StringComparer.Ordinal)) list.Add(model);
        }
        return list;
    }

    private static ExternalExecutorRef? ParseExecutor(JsonElement policy, string mode)
    {
        var present = policy.TryGetProperty("externalExecutor", out var el) && el.ValueKind != JsonValueKind.Null;
        if (mode != MediaExecutionModes.External)
        {
            if (present) throw Bad("mediaExecution.externalExecutor is only allowed when mode is external");
            return null;
        }
        if (!present) throw Bad("mediaExecution.externalExecutor is required when mode is external");
        if (el.ValueKind != JsonValueKind.Object) throw Bad("mediaExecution.externalExecutor must be an object");

        if (OptionalString(el, "kind", "mediaExecution.externalExecutor.kind must be http") != "http")
        {
            throw Bad("mediaExecution.externalExecutor.kind must be http");
        }
        var id = OptionalString(el, "id", "mediaExecution.externalExecutor.id must be a non-empty string");
        if (id is not null && (id.Trim().Length == 0 || id.Length > 200)) throw Bad("mediaExecution.externalExecutor.id must be a non-empty string");
        var endpoint = HttpUrl(el, "endpoint") ?? throw Bad("mediaExecution.externalExecutor.endpoint must be an absolute http or https URL");
        var cancel = HttpUrl(el, "cancelEndpoint");
        var auth = ParseAuth(el);
        return new ExternalExecutorRef("http", endpoint, id?.Trim(), cancel, auth);
    }

    private static ExecutorAuth? ParseAuth(JsonElement executor)
    {
        if (!executor.TryGetProperty("auth", out var el) || el.ValueKind == JsonValueKind.Null) return null;
        const string kindMessage = "mediaExecution.externalExecutor.auth.kind must be none, bearer-env, or header-env";
        if (el.ValueKind != JsonValueKind.Object) throw Bad("mediaExecution.externalExecutor.auth must be an object");
        var kind = OptionalString(el, "kind", kindMessage);
        if (kind is not (ExecutorAuthKinds.None or ExecutorAuthKinds.BearerEnv or ExecutorAuthKinds.HeaderEnv)) throw Bad(kindMessage);
        if (kind == ExecutorAuthKinds.None) return new ExecutorAuth(kind);

        // The policy names a variable of the service's environment; a secret value never travels in a request.
        var env = OptionalString(el, "env", "mediaExecution.externalExecutor.auth.env must be an environment variable name");
        if (env is null || !EnvName().IsMatch(env))
        {
            throw Bad("mediaExecution.externalExecutor.auth.env must be an environment variable name");
        }
        string? header = null;
        if (kind == ExecutorAuthKinds.HeaderEnv)
        {
            header = OptionalString(el, "header", "mediaExecution.externalExecutor.auth.header must be an HTTP header name");
            if (header is null || !HeaderName().IsMatch(header) || header.Equals("Idempotency-Key", StringComparison.OrdinalIgnoreCase))
            {
                throw Bad("mediaExecution.externalExecutor.auth.header must be an HTTP header name");
            }
        }
        return new ExecutorAuth(kind, env, header);
    }

    private static string? HttpUrl(JsonElement executor, string name)
    {
        var message = $"mediaExecution.externalExecutor.{name} must be an absolute http or https URL";
        var text = OptionalString(executor, name, message);
        if (text is null) return null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host)
            || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw Bad(message);
        }
        return uri.AbsoluteUri;
    }

    private static string? OptionalString(JsonElement obj, string name, string message)
    {
        if (!obj.TryGetProperty(name, out var el) || el.ValueKind == JsonValueKind.Null) return null;
        if (el.ValueKind != JsonValueKind.String) throw Bad(message);
        return JsonText.Read(el);
    }

    private static DomainException Bad(string message) => DomainException.Invalid(message);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
    private static partial Regex EnvName();

    // RFC 9110 token characters.
    [GeneratedRegex(@"^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$")]
    private static partial Regex HeaderName();
}
