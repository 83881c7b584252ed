using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Cli.Output;

/// <summary>How each wire type reads for people. One place, so every command shows a resource the same way.</summary>
internal static class Views
{
    public static void Project(TextWriter writer, Project project, string headline)
    {
        writer.WriteLine(headline);
        new Fields()
            .Add("name", project.Name)
            .Add("dir", project.Dir)
            .Add("created", Format.Time(project.CreatedAt))
            .WriteTo(writer);
    }

    public static void Run(TextWriter writer, Run run, string headline)
    {
        writer.WriteLine(headline);
        new Fields()
            .Add("project", run.ProjectId)
            .Add("media", Format.Policy(run.MediaExecution))
            .Add("agent", run.AgentId)
            .Add("conversation", run.ConversationId)
            .Add("message", run.Message)
            .Add("created", Format.Time(run.CreatedAt))
            .Add("updated", Format.Time(run.UpdatedAt))
            .Add("ended", Format.Time(run.EndedAt))
            .WriteTo(writer);
    }

    public static void Runs(TextWriter writer, IReadOnlyList<Run> runs)
    {
        var table = new TextTable("RUN", "STATUS", "MEDIA", "PROJECT", "CREATED");
        foreach (var run in runs)
        {
            table.Add(run.Id, run.Status, run.MediaExecution.Mode, run.ProjectId, Format.Time(run.CreatedAt));
        }

        table.WriteTo(writer);
    }

    /// <summary>The one-line summary agents see after <c>od media generate</c>: <c>media request mreq_x requested: image "poster.png" (request-only)</c>.</summary>
    public static string MediaRequestLine(MediaRequest request) =>
        $"media request {request.Id} {request.Status}: {request.Surface} \"{request.RequestedOutput}\" ({request.PolicyMode})";

    public static void MediaRequest(TextWriter writer, MediaRequest request)
    {
        writer.WriteLine(MediaRequestLine(request));
        new Fields()
            .Add("run", request.RunId)
            .Add("project", request.ProjectId)
            .Add("conversation", request.ConversationId)
            .Add("model", request.Model)
            .Add("prompt", request.Prompt)
            .Add("output", request.Output)
            .Add("aspect", request.Aspect)
            .Add("length", Format.Number(request.Length))
            .Add("duration", Format.Number(request.Duration))
            .Add("audio kind", request.AudioKind)
            .Add("voice", request.Voice)
            .Add("language", request.Language)
            .Add("input refs", request.InputRefs is { Count: > 0 } refs ? string.Join(", ", refs.Select(r => $"{r.Kind}:{r.Ref}")) : null)
            .Add("created", Format.Time(request.CreatedAt))
            .Add("updated", Format.Time(request.UpdatedAt))
            .Add("fulfilled", Format.Time(request.FulfilledAt))
            .Add("file", request.FulfilledFile is { } f ? $"{f.Path} ({f.Mime}, {f.Size} bytes, sha256 {f.Sha256})" : null)
            .Add("external", request.External is { } x ? Join(x.ExecutorId, x.ExternalRequestId, x.StatusUrl, x.WorkflowId) : null)
            .Add("progress", request.External is { } p ? Join(p.Percent is { } percent ? $"{Format.Number(percent)}%" : null, p.LastProgress) : null)
            .Add("error", request.Error is { } e ? (e.Code is null ? e.Message : $"{e.Code}: {e.Message}") : null)
            .WriteTo(writer);
    }

    private static string? Join(params string?[] parts)
    {
        var present = parts.Where(p => !string.IsNullOrEmpty(p)).ToArray();
        return present.Length == 0 ? null : string.Join(' ', present);
    }

    public static void MediaRequests(TextWriter writer, IReadOnlyList<MediaRequest> requests)
    {
        var table = new TextTable("REQUEST", "STATUS", "SURFACE", "OUTPUT", "MODEL", "CREATED");
        foreach (var r in requests)
        {
            table.Add(r.Id, r.Status, r.Surface, r.RequestedOutput, r.Model, Format.Time(r.CreatedAt));
        }

        table.WriteTo(writer);
    }
}
