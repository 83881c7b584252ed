using System.Text;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Domain.Agents;

/// <summary>
/// The text a run's agent is given: the run's message, then the media contract of the run's mode (with its
/// allowlists), the Codex image override where it applies, and the runtime block naming the variables it has. One pure
/// function of <see cref="PromptInput"/>, so <c>GET /api/runs/{id}/prompt</c>, the prompt file and the tests all see
/// the same text. The contract is only advice: the tool endpoint enforces the policy whatever the agent does.
/// </summary>
public static class PromptComposer
{
    /// <summary>The prompt of a run's agent: what the supervisor hands the agent and what <c>GET /api/runs/{id}/prompt</c> shows.</summary>
    public static string ForRun(Run run, Project project) =>
        Compose(new PromptInput(run.MediaExecution, run.AgentId, project.Id, project.Name, run.Message));

    public static string Compose(PromptInput input)
    {
        var text = new StringBuilder();
        if (!string.IsNullOrWhiteSpace(input.Message))
        {
            text.Append("## Task\n\n").Append(input.Message.Trim()).Append("\n\n");
        }

        text.Append("## Project\n\n")
            .Append("You work in the project \"").Append(input.ProjectName).Append("\" (`").Append(input.ProjectId).Append("`). ")
            .Append("Its files are in `$OD_PROJECT_DIR`; media this run obtains lands there too.\n\n");

        var policy = input.Policy;
        switch (policy.Mode)
        {
            case MediaExecutionModes.Disabled:
                Disabled(text);
                break;
            case MediaExecutionModes.RequestOnly:
                Requested(text, policy, "someone outside this run (the orchestrator that started it) decides whether and how to produce it, and fulfils the request with the file");
                break;
            case MediaExecutionModes.External:
                Requested(text, policy, "the run's media executor (an external service) produces it and sends the file back; this can take minutes");
                break;
            default:
                Enabled(text, policy);
                break;
        }

        if (CodexOverrideApplies(input)) CodexOverride(text);
        Runtime(text);
        return text.ToString();
    }

    /// <summary>Codex's built-in image generation is mentioned only to Codex, only in enabled mode, and only when images are allowed.</summary>
    public static bool CodexOverrideApplies(PromptInput input) =>
        string.Equals(input.AgentId?.Trim(), "codex", StringComparison.OrdinalIgnoreCase)
        && input.Policy.Mode == MediaExecutionModes.Enabled
        && (input.Policy.AllowedSurfaces is not { Count: > 0 } surfaces || surfaces.Contains(MediaSurfaces.Image));

    private static void Enabled(StringBuilder text, MediaExecutionPolicy policy)
    {
        text.Append("## Media generation contract (this run: enabled; this section overrides softer wording above)\n\n")
            .Append("Images, video and audio for this project are produced by the service, never by you directly. To get a file:\n\n")
            .Append("```sh\n\"$OD_BIN\" media generate --surface image --prompt \"<what to make>\" --output <name>.png\n```\n\n")
            .Append("- Use only `\"$OD_BIN\" media generate` (surfaces `image`, `video`, `audio`; add `--model <id>` to choose a model). ")
            .Append("Do not write media bytes yourself, do not call provider APIs or the service's HTTP API directly, and do not put placeholder files in the project.\n")
            .Append("- `generate` starts a media task (`mtask_...`) and follows it for up to 25 seconds, with progress lines on stderr. ")
            .Append("Its last line on stdout is one JSON object that says how it ended; read that line:\n")
            .Append("  - `{\"file\":{\"name\":...,\"sha256\":...}}`, exit 0: done. The file is in `$OD_PROJECT_DIR` under `file.name` (which can differ from the `--output` you asked for).\n")
            .Append("  - `{\"taskId\":...,\"status\":\"failed\",\"error\":{\"message\":...,\"code\":...}}`, exit 5: there is no file. Say so with the message and carry on without it.\n")
            .Append("  - `{\"taskId\":...,\"status\":\"running\",\"nextSince\":<n>,...}`, exit 0: the task is still running and there is no file yet. ")
            .Append("Do not generate again; continue following the same task:\n\n")
            .Append("    ```sh\n    \"$OD_BIN\" media wait <taskId> --since <nextSince>\n    ```\n\n")
            .Append("    It ends with the same kinds of line. Exit 2 from `media wait` means still running: run it again with the new `nextSince` ")
            .Append("until you get a `file` line or a `failed` one. A long video can take minutes; do not give up while it is `queued` or `running`.\n")
            .Append("- A file exists only once a `{\"file\":...}` line has said so: before that, never claim or imply it exists, and never create, copy or draw a stand-in for it.\n");
        ExitCodes(text, "2 wrong usage (fix the command), or, from `media wait`, still running (wait again); ",
            "5 the task failed or could not be started (report the message it printed)");
        Scope(text, policy);
    }

    private static void Disabled(StringBuilder text) =>
        text.Append("## Media generation policy (this run: disabled; this section overrides softer wording above)\n\n")
            .Append("Media generation is switched off for this run. Do not produce images, video or audio in any way: ")
            .Append("do not run `od media generate`, do not use a built-in image tool, provider APIs, local renderers or scripts that draw or synthesise media. ")
            .Append("The service refuses such calls (exit 4, `MEDIA_EXECUTION_DISABLED`).\n\n")
            .Append("If the task needs media, describe a brief instead: what to make (the prompt), the surface (image, video or audio), ")
            .Append("any model preference, the reference files, and the file name it should get. Then stop. ")
            .Append("Never say or imply that a media file exists or was created.\n\n")
            .Append("Media tools from external MCP servers configured for you, if any, are outside this policy.\n\n");

    private static void Requested(StringBuilder text, MediaExecutionPolicy policy, string who)
    {
        var mode = policy.Mode;
        text.Append("## Media request contract (this run: ").Append(mode).Append("; this section overrides softer wording above)\n\n")
            .Append("You cannot produce media yourself in this run. `\"$OD_BIN\" media generate` records a media request and returns at once: ")
            .Append(who).Append(".\n\n")
            .Append("```sh\n\"$OD_BIN\" media generate --surface image --prompt \"<what to make>\" --output <name>.png --json\n```\n\n")
            .Append("- Exit 0 means the request was recorded (its `id` is `mreq_...`, its status `requested`), not that a file exists.\n");
        WaitForRequest(text, "only then does the file exist, in `$OD_PROJECT_DIR` under the name in `fulfilledFile`");
        text.Append("- Until a request is `fulfilled`, never claim its file exists and never create, copy or draw a stand-in for it.\n")
            .Append("- `failed` or `cancelled` means there will be no file: say so, with the request's `error`, and carry on without it.\n");
        Scope(text, policy);
    }

    private static void WaitForRequest(StringBuilder text, string ready)
    {
        text.Append("- Wait for a request by reading it again until its `status` is `fulfilled`, `failed` or `cancelled` (")
            .Append(ready).Append("):\n\n")
            .Append("  ```sh\n  \"$OD_BIN\" media requests get <mreq_id> --json\n  ```\n\n")
            .Append("  Poll every few seconds; do not give up while it is `requested`, `submitted` or `running`.\n");
        ExitCodes(text, "2 wrong usage (fix the command); ", "5 the media could not be produced (report the message it printed)");
    }

    private static void ExitCodes(StringBuilder text, string two, string five) =>
        text.Append("- Exit codes of `od`: 0 ok; ").Append(two).Append("3 the service cannot be reached (retry later); ")
            .Append("4 refused by the service, e.g. a policy denial (`MEDIA_EXECUTION_DISABLED`, `MEDIA_SURFACE_DENIED`, `MEDIA_MODEL_DENIED`): ")
            .Append("do not retry the same call; ").Append(five).Append(".\n");

    private static void Scope(StringBuilder text, MediaExecutionPolicy policy)
    {
        var surfaces = policy.AllowedSurfaces is { Count: > 0 } s ? s : null;
        var models = policy.AllowedModels is { Count: > 0 } m ? m : null;
        text.Append('\n');
        if (surfaces is null && models is null) return;
        text.Append("### Active media policy scope\n\n")
            .Append("The service refuses surfaces and models outside this run's allowlist (exit 4).\n");
        if (surfaces is not null) text.Append("Allowed surfaces for this run: ").Append(Codes(surfaces)).Append(".\n");
        if (models is not null) text.Append("Allowed models for this run: ").Append(Codes(models)).Append(". Always pass one of them with `--model`.\n");
        text.Append('\n');
    }

    private static void CodexOverride(StringBuilder text) =>
        text.Append("## Codex image generation\n\n")
            .Append("For images you may use your built-in image generation instead of `od media generate`. ")
            .Append("Copy each generated image into `$OD_PROJECT_DIR` under the name it should have, check that the file is there, and mention that name. ")
            .Append("If built-in image generation is not available, use `\"$OD_BIN\" media generate`; do not switch to an API-key route without asking.\n\n");

    private static void Runtime(StringBuilder text) =>
        text.Append("## Runtime tool environment\n\n")
            .Append("- `OD_BIN`: the `od` command; `OD_DAEMON_URL`: the service it talks to.\n")
            .Append("- `OD_PROJECT_ID`, `OD_PROJECT_DIR`: this run's project and its directory; `OD_RUN_ID`: this run.\n")
            .Append("- `OD_DATA_DIR`: the service's data directory (do not write to it); `OD_PROMPT_FILE`: this text.\n")
            .Append("- `OD_TOOL_TOKEN`: this run's tool token, which `od` sends by itself. Never print it, write it to a file, ")
            .Append("pass it on a command line or change it. It stops working when the run ends.\n");

    private static string Codes(IEnumerable<string> values) => string.Join(", ", values.Select(v => "`" + v + "`"));
}
