using System.Runtime.CompilerServices;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Agents;

namespace OpenDesign.Workflows.Domain.Tests.Agents;

/// <summary>
/// The prompt of each mode and allowlist against a reviewed snapshot (Prompts/*.md; regenerate with
/// OD_UPDATE_SNAPSHOTS=1 and read the diff), plus the rules the snapshots stand for, asserted on their own.
/// </summary>
public sealed class PromptComposerTests
{
    private const string Message = "Make a launch poster for the spring campaign.";

    public static TheoryData<string, string?, MediaExecutionPolicy> Cases => new()
    {
        { "enabled", "shell-demo", new MediaExecutionPolicy(MediaExecutionModes.Enabled) },
        { "enabled-allowlists", "shell-demo", new MediaExecutionPolicy(MediaExecutionModes.Enabled, [MediaSurfaces.Image], ["gpt-image-2"]) },
        { "disabled", "shell-demo", new MediaExecutionPolicy(MediaExecutionModes.Disabled) },
        { "request-only", "shell-demo", new MediaExecutionPolicy(MediaExecutionModes.RequestOnly) },
        { "request-only-allowlists", null, new MediaExecutionPolicy(MediaExecutionModes.RequestOnly, [MediaSurfaces.Image, MediaSurfaces.Video]) },
        { "external", "shell-demo", new MediaExecutionPolicy(MediaExecutionModes.External, ExternalExecutor: new ExternalExecutorRef("http", "https://exec.example/submit")) },
        { "codex-enabled", "codex", new MediaExecutionPolicy(MediaExecutionModes.Enabled) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_prompt_of_each_mode_matches_its_reviewed_snapshot(string name, string? agentId, MediaExecutionPolicy policy)
    {
        var text = PromptComposer.Compose(Input(policy, agentId));
        var path = Path.Combine(SnapshotDir(), name + ".md");
        if (Environment.GetEnvironmentVariable("OD_UPDATE_SNAPSHOTS") == "1") File.WriteAllText(path, text);
        Assert.Equal(File.ReadAllText(path), text);
    }

    [Fact]
    public void Disabled_forbids_generation_and_never_teaches_the_generate_command()
    {
        var text = PromptComposer.Compose(Input(new MediaExecutionPolicy(MediaExecutionModes.Disabled), "codex"));
        Assert.Contains("Media generation is switched off for this run", text, StringComparison.Ordinal);
        Assert.Contains("Never say or imply that a media file exists", text, StringComparison.Ordinal);
        Assert.DoesNotContain("media generate --surface", text, StringComparison.Ordinal);
        Assert.DoesNotContain("built-in image generation instead", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Request_only_and_external_say_a_file_exists_only_once_its_request_is_fulfilled()
    {
        foreach (var mode in new[] { MediaExecutionModes.RequestOnly, MediaExecutionModes.External })
        {
            var text = PromptComposer.Compose(Input(new MediaExecutionPolicy(mode), "shell-demo"));
            Assert.Contains($"(this run: {mode};", text, StringComparison.Ordinal);
            Assert.Contains("\"$OD_BIN\" media generate --surface image", text, StringComparison.Ordinal);
            Assert.Contains("\"$OD_BIN\" media requests get <mreq_id> --json", text, StringComparison.Ordinal);
            Assert.Contains("Until a request is `fulfilled`, never claim its file exists", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Enabled_teaches_the_task_flow_generate_then_media_wait_and_a_file_only_from_a_file_line()
    {
        var text = PromptComposer.Compose(Input(new MediaExecutionPolicy(MediaExecutionModes.Enabled), "shell-demo"));
        Assert.Contains("(this run: enabled;", text, StringComparison.Ordinal);
        Assert.Contains("\"$OD_BIN\" media generate --surface image", text, StringComparison.Ordinal);
        Assert.Contains("\"$OD_BIN\" media wait <taskId> --since <nextSince>", text, StringComparison.Ordinal);
        Assert.Contains("Exit 2 from `media wait` means still running", text, StringComparison.Ordinal);
        Assert.Contains("A file exists only once a `{\"file\":...}` line has said so", text, StringComparison.Ordinal);
        // Enabled mode has tasks, not requests: the request commands belong to request-only and external.
        Assert.DoesNotContain("media requests get", text, StringComparison.Ordinal);
        Assert.DoesNotContain("mreq_", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Allowlists_are_listed_only_when_set()
    {
        var scoped = PromptComposer.Compose(Input(new MediaExecutionPolicy(MediaExecutionModes.Enabled, [MediaSurfaces.Video], ["veo-3", "kling"]), null));
        Assert.Contains("Allowed surfaces for this run: `video`.", scoped, StringComparison.Ordinal);
        Assert.Contains("Allowed models for this run: `veo-3`, `kling`.", scoped, StringComparison.Ordinal);
        var open = PromptComposer.Compose(Input(new MediaExecutionPolicy(MediaExecutionModes.Enabled), null));
        Assert.DoesNotContain("Active media policy scope", open, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("codex", MediaExecutionModes.Enabled, null, true)]
    [InlineData(" Codex ", MediaExecutionModes.Enabled, new[] { "image", "video" }, true)]
    [InlineData("codex", MediaExecutionModes.Enabled, new[] { "video" }, false)]
    [InlineData("codex", MediaExecutionModes.Disabled, null, false)]
    [InlineData("codex", MediaExecutionModes.RequestOnly, null, false)]
    [InlineData("claude", MediaExecutionModes.Enabled, null, false)]
    [InlineData(null, MediaExecutionModes.Enabled, null, false)]
    public void The_Codex_image_override_appears_only_for_codex_in_enabled_mode_with_images_allowed(string? agentId, string mode, string[]? surfaces, bool expected)
    {
        var text = PromptComposer.Compose(Input(new MediaExecutionPolicy(mode, surfaces), agentId));
        Assert.Equal(expected, text.Contains("## Codex image generation", StringComparison.Ordinal));
    }

    [Fact]
    public void The_runtime_block_names_the_variables_and_forbids_printing_the_token()
    {
        var text = PromptComposer.Compose(Input(new MediaExecutionPolicy(MediaExecutionModes.RequestOnly), null));
        var runtime = text[text.IndexOf("## Runtime tool environment", StringComparison.Ordinal)..];
        foreach (var name in new[] { "OD_BIN", "OD_DAEMON_URL", "OD_PROJECT_ID", "OD_PROJECT_DIR", "OD_RUN_ID", "OD_DATA_DIR", "OD_PROMPT_FILE", "OD_TOOL_TOKEN" })
        {
            Assert.Contains($"`{name}`", runtime, StringComparison.Ordinal);
        }
        Assert.Contains("Never print it, write it to a file", runtime, StringComparison.Ordinal);
    }

    [Fact]
    public void The_message_comes_first_and_a_run_without_one_has_no_task_section()
    {
        var text = PromptComposer.Compose(Input(new MediaExecutionPolicy(MediaExecutionModes.Enabled), null));
        Assert.StartsWith("## Task\n\n" + Message + "\n\n", text, StringComparison.Ordinal);
        var none = PromptComposer.Compose(Input(new MediaExecutionPolicy(MediaExecutionModes.Enabled), null) with { Message = null });
        Assert.DoesNotContain("## Task", none, StringComparison.Ordinal);
    }

    private static PromptInput Input(MediaExecutionPolicy policy, string? agentId) =>
        new(policy, agentId, "proj_demo", "Spring campaign", Message);

    private static string SnapshotDir([CallerFilePath] string file = "") => Path.Combine(Path.GetDirectoryName(file)!, "Prompts");
}
