using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Cli.Tests;

/// <summary>Wire values the fake service answers with, built from the shared contract records.</summary>
public static class Samples
{
    public const string ToolToken = "odtt_test-tool-token";
    public const string ApiToken = "admin-api-token";

    public static readonly DateTimeOffset Now = new(2026, 5, 28, 12, 0, 0, TimeSpan.Zero);

    public static MediaRequest MediaRequest(string id = "mreq_1", string status = MediaRequestStatuses.Requested, FulfilledFile? file = null) => new()
    {
        Id = id,
        RunId = "run_1",
        ProjectId = "proj_1",
        Surface = MediaSurfaces.Image,
        Prompt = "a campaign poster",
        Output = "poster.png",
        RequestedOutput = "poster.png",
        Status = status,
        PolicyMode = MediaExecutionModes.RequestOnly,
        CreatedAt = Now,
        UpdatedAt = Now,
        FulfilledFile = file,
    };

    public static Run Run(string id = "run_1", string status = RunStatuses.Running) =>
        new(id, "proj_1", status, new MediaExecutionPolicy(MediaExecutionModes.RequestOnly, [MediaSurfaces.Image]), Now, Now);

    public static Project Project(string id = "proj_1") => new(id, "Poster", "/data/projects/" + id, Now);

    public static Dictionary<string, string> Env(string daemonUrl, string? toolToken = null, string? apiToken = null)
    {
        var env = new Dictionary<string, string> { ["OD_DAEMON_URL"] = daemonUrl };
        if (toolToken is not null)
        {
            env["OD_TOOL_TOKEN"] = toolToken;
        }

        if (apiToken is not null)
        {
            env["OD_API_TOKEN"] = apiToken;
        }

        return env;
    }
}
