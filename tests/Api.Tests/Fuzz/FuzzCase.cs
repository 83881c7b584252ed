using System.Net.Http.Headers;
using System.Text;

namespace OpenDesign.Workflows.Api.Tests.Fuzz;

/// <summary>A path segment: one of the world's things by role, or literal (already percent-encoded) text.</summary>
public sealed record PathValue(Ref? Ref, string? Raw)
{
    public override string ToString() => Ref?.ToString() ?? $"'{Shorten(Raw!)}'";

    internal static string Shorten(string text) => text.Length > 60 ? $"{text[..40]}…({text.Length} chars)" : text;
}

/// <summary>
/// One generated request, described by roles and choices rather than ids, so CsCheck can print and shrink it and a seed
/// replays it. <see cref="ContentType"/> "=" means the type that fits the body (JSON), null means none.
/// </summary>
public sealed record FuzzCase(
    ApiEndpoint Endpoint,
    string? Method,
    PathValue[] Path,
    (string Name, string Value)[] Query,
    Auth Auth,
    string? RawAuthorization,
    string? LastEventId,
    string? Origin,
    string? Host,
    BodySpec Body,
    string? ContentType,
    long? LengthDelta,
    string? FileName)
{
    public const string FitsBody = "=";

    public string Verb => Method ?? Endpoint.Method;

    public override string ToString()
    {
        var text = new StringBuilder($"{Verb} {Endpoint.Pattern}");
        if (Path.Length > 0) text.Append($" path=[{string.Join(", ", Path.Select(p => p.ToString()))}]");
        if (Query.Length > 0) text.Append($" query=[{string.Join("&", Query.Select(q => $"{q.Name}={PathValue.Shorten(q.Value)}"))}]");
        text.Append($" auth={(RawAuthorization is null ? Auth.ToString() : $"'{PathValue.Shorten(RawAuthorization)}'")}");
        if (LastEventId is not null) text.Append($" Last-Event-ID='{LastEventId}'");
        if (Origin is not null) text.Append($" Origin='{Origin}'");
        if (Host is not null) text.Append($" Host='{Host}'");
        text.Append($" body={Body}");
        if (ContentType != FitsBody) text.Append($" Content-Type={(ContentType is null ? "none" : $"'{ContentType}'")}");
        if (LengthDelta is not null) text.Append($" Content-Length{LengthDelta:+#;-#;+0}");
        if (FileName is not null) text.Append($" X-File-Name='{PathValue.Shorten(FileName)}'");
        return text.ToString();
    }

    /// <summary>The HTTP request this case stands for in the world as it is now.</summary>
    public (HttpRequestMessage Request, byte[]? Body) Build(FuzzWorld world, string? bodyTemplate)
    {
        var path = new StringBuilder();
        var k = 0;
        foreach (var segment in Endpoint.Route.PathSegments)
        {
            path.Append('/');
            foreach (var part in segment.Parts)
            {
                path.Append(part switch
                {
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                    _ => Path[k++] is { Ref: { } r } ? world.Id(r) : Path[k - 1].Raw,
                });
            }
        }
        if (Query.Length > 0) path.Append('?').Append(string.Join('&', Query.Select(q => $"{q.Name}={q.Value}")));
        var request = new HttpRequestMessage(new HttpMethod(Verb), new Uri(path.ToString(), UriKind.Relative));

        var credential = RawAuthorization ?? Auth switch
        {
            Auth.None => null,
            Auth.Proper when Endpoint.ToolOnly => $"Bearer {world.Token(Auth.ToolA)}",
            Auth.Proper => null,
            var a => $"Bearer {world.Token(a)}",
        };
        if (credential is not null) request.Headers.TryAddWithoutValidation("Authorization", credential.Split('\n'));
        if (LastEventId is not null) request.Headers.TryAddWithoutValidation("Last-Event-ID", LastEventId);
        if (Origin is not null) request.Headers.TryAddWithoutValidation("Origin", Origin.Split('\n'));
        if (Host is not null) request.Headers.TryAddWithoutValidation("Host", Host);
        if (FileName is not null) request.Headers.TryAddWithoutValidation("X-File-Name", FileName);

        var bytes = Body.Bytes(bodyTemplate, text => Resolve(world, text));
        if (bytes is not null || ContentType is not (null or FitsBody) || LengthDelta is not null)
        {
            request.Content = new ByteArrayContent(bytes ?? []);
            var type = ContentType == FitsBody ? "application/json" : ContentType;
            if (type is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            if (LengthDelta is { } delta) request.Content.Headers.ContentLength = Math.Max(0, (bytes?.Length ?? 0) + delta);
        }
        return (request, bytes);
    }

    /// <summary>Known-good bodies name the world's things as {ProjectA}, {RunA}, …</summary>
    private static string Resolve(FuzzWorld world, string template)
    {
        foreach (var r in Enum.GetValues<Ref>()) template = template.Replace($"{{{r}}}", world.Id(r), StringComparison.Ordinal);
        return template;
    }
}
