using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Cli.Tests.Enabled;

/// <summary>
/// The OpenAI key, from the environment and then stored in media-config.json, never leaves the service except towards
/// OpenAI: not in any answer, event, log line or workflow history, even when OpenAI's own error message quotes it.
/// </summary>
[Collection(EnabledServiceCollection.Name)]
public sealed partial class ProviderKeyNowhereTests(EnabledServiceFixture fixture)
{
    [Fact]
    public async Task Neither_the_environment_key_nor_the_stored_key_appears_in_any_answer_event_log_line_or_history()
    {
        var tasks = new List<string>();
        var runs = new List<string>();
        try
        {
            await GenerateBothWaysAsync("env", environmentKey: true, tasks, runs);
            // The same with the key only in media-config.json: a service started without OPENAI_API_KEY.
            await fixture.KillAndRestartAsync(withEnvKey: false);
            await GenerateBothWaysAsync("stored", environmentKey: false, tasks, runs);
        }
        finally
        {
            await fixture.KillAndRestartAsync(withEnvKey: true);
        }

        foreach (var runId in runs)
        {
            await fixture.Http.GetStringAsync(ApiRoutes.Runs.ItemPath(runId));
            await ServiceCalls.EventsAsync(fixture.Http, runId);
        }
        await fixture.Http.GetStringAsync(ApiRoutes.Events + "?after=0&follow=false");
        var histories = new StringBuilder();
        foreach (var taskId in tasks)
        {
            var history = await fixture.Temporal.Client.GetWorkflowHandle(EnabledServiceFixture.WorkflowId(taskId)).FetchHistoryAsync();
            histories.AppendLine(WithPayloadsDecoded(history.ToJson()));
        }

        var answers = string.Join('\n', fixture.Answers);
        var log = fixture.Service.Log;
        // The search covered what it claims to: every task, both failures' messages, the catalog, both processes' logs.
        Assert.All(tasks, t => Assert.Contains(t, answers, StringComparison.Ordinal));
        Assert.All(tasks, t => Assert.Contains(t, histories.ToString(), StringComparison.Ordinal));
        Assert.Contains("Incorrect API key provided", answers, StringComparison.Ordinal);
        Assert.Contains("Incorrect API key provided", histories.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"configured\":true", answers, StringComparison.Ordinal);
        Assert.Contains(tasks[0], log, StringComparison.Ordinal);
        Assert.Contains(tasks[^1], log, StringComparison.Ordinal);
        foreach (var key in new[] { EnabledServiceFixture.EnvKey, EnabledServiceFixture.StoredKey })
        {
            Assert.DoesNotContain(key, answers, StringComparison.Ordinal);
            Assert.DoesNotContain(key, log, StringComparison.Ordinal);
            Assert.DoesNotContain(key, histories.ToString(), StringComparison.Ordinal);
        }
    }

    /// <summary>A success (the image by URL) and a refusal whose message quotes the key, as OpenAI's 401 does.</summary>
    private async Task GenerateBothWaysAsync(string tag, bool environmentKey, List<string> tasks, List<string> runs)
    {
        var key = environmentKey ? EnabledServiceFixture.EnvKey : EnabledServiceFixture.StoredKey;
        var (_, run) = await fixture.CreateRunAsync("keys " + tag);
        runs.Add(run.RunId);
        await fixture.Http.GetStringAsync(ApiRoutes.Media.Models);

        var ok = $"keys {tag}: a poster";
        fixture.OpenAi.ImageByUrl(ok, Media.Png(tag));
        var done = await fixture.OdAsync(run, "media", "generate", "--surface", "image", "--prompt", ok, "--output", "poster.png");
        Assert.True(done.ExitCode == 0, done.ToString());
        // The marker was really in play: OpenAI was sent it.
        Assert.Equal(["Bearer " + key], Assert.Single(fixture.OpenAi.ImageCalls(ok)).Headers!["Authorization"]);

        var refused = $"keys {tag}: refused";
        fixture.OpenAi.ImageError(refused, 401, $"Incorrect API key provided: {key}. You can find your API key at https://platform.openai.com/account/api-keys.");
        var failed = await fixture.OdAsync(run, "media", "generate", "--surface", "image", "--prompt", refused, "--output", "refused.png");
        Assert.True(failed.ExitCode == 5, failed.ToString());

        foreach (var result in new[] { done, failed })
        {
            var taskId = TaskIdPattern().Match(result.Stderr).Value;
            Assert.NotEmpty(taskId);
            tasks.Add(taskId);
            await fixture.TaskAsync(taskId);
            using var wait = await ServiceCalls.PostAsync(fixture.Http, ApiRoutes.MediaTasks.WaitPath(taskId), """{"since":0,"timeoutMs":0}""", run.ToolToken);
            Assert.Equal(HttpStatusCode.OK, wait.StatusCode);
        }
    }

    /// <summary>Payloads are base64 in a history's JSON: decode them so the search sees what they carry.</summary>
    private static string WithPayloadsDecoded(string json) =>
        json + "\n" + string.Join('\n', PayloadData().Matches(json).Select(m => Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups[1].Value))));

    // od says "task <id> queued" on stderr first, whatever the outcome.
    [GeneratedRegex("mtask_[0-9a-z]+")]
    private static partial Regex TaskIdPattern();

    [GeneratedRegex("\"data\":\\s*\"([A-Za-z0-9+/=]+)\"")]
    private static partial Regex PayloadData();
}
