using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Cli.Tests.Enabled;

/// <summary>
/// Enabled mode as a newcomer meets it: the real service with an OpenAI key and WireMock as OpenAI, a run created
/// with no policy, the real <c>od</c> as the agent runs it; exit codes of generate and wait; a task surviving a kill -9
/// of the service.
/// </summary>
[Collection(EnabledServiceCollection.Name)]
public sealed class EnabledModeProcessTests(EnabledServiceFixture fixture)
{
    [Fact]
    public async Task A_run_with_no_policy_gets_an_image_in_its_project_through_od_media_generate()
    {
        const string prompt = "newcomer: a launch poster";
        var png = Media.Png("newcomer");
        fixture.OpenAi.Image(prompt, png);
        var (project, run) = await fixture.CreateRunAsync("newcomer");

        var result = await fixture.OdAsync(run, "media", "generate", "--surface", "image", "--prompt", prompt, "--output", "poster.png");

        Assert.True(result.ExitCode == 0, result.ToString());
        var call = Assert.Single(fixture.OpenAi.ImageCalls(prompt));
        Assert.Equal(["Bearer " + fixture.CurrentKey], call.Headers!["Authorization"]);
        var model = JsonDocument.Parse(call.Body!).RootElement.GetProperty("model").GetString()!;
        var line = JsonDocument.Parse(Media.Lines(result.Stdout)[^1]).RootElement;
        Assert.Equal(["file"], line.EnumerateObject().Select(p => p.Name));
        var meta = line.GetProperty("file").Deserialize(OdJsonContext.Default.MediaTaskFile)!;
        Assert.Equal(
            ("poster.png", (long)png.Length, "image", "image/png", model, "image", "openai", Media.Sha256(png)),
            (meta.Name, meta.Size, meta.Kind, meta.Mime, meta.Model, meta.Surface, meta.ProviderId, meta.Sha256));
        Assert.Equal(png, File.ReadAllBytes(Path.Combine(project.Dir, "poster.png")));
    }

    [Fact]
    public async Task A_provider_refusal_makes_od_media_generate_exit_5_with_the_providers_message_on_the_final_line()
    {
        const string prompt = "refused: a poster the safety system rejects";
        const string message = "Your request was rejected as a result of our safety system.";
        fixture.OpenAi.ImageError(prompt, 400, message);
        var (project, run) = await fixture.CreateRunAsync("refused");

        var result = await fixture.OdAsync(run, "media", "generate", "--surface", "image", "--prompt", prompt, "--output", "poster.png");

        Assert.True(result.ExitCode == 5, result.ToString());
        var last = JsonDocument.Parse(Media.Lines(result.Stdout)[^1]).RootElement;
        Assert.Equal(MediaTaskStatuses.Failed, last.GetProperty("status").GetString());
        Assert.Contains(message, last.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.MediaProviderRejected, last.GetProperty("error").GetProperty("code").GetString());
        // A refusal is final: asked once, never retried; nothing lands in the project.
        Assert.Single(fixture.OpenAi.ImageCalls(prompt));
        Assert.Empty(Directory.EnumerateFileSystemEntries(project.Dir));
    }

    [Fact]
    public async Task Od_media_wait_exits_2_while_a_slow_video_job_runs_and_0_with_the_file_once_it_completes()
    {
        const string prompt = "slow: a thirty second teaser";
        var (project, run, accepted, jobId) = await PendingVideoTaskAsync(prompt);
        var mp4 = Media.Mp4("slow");

        var early = await fixture.OdAsync(run, "media", "wait", accepted.TaskId, "--timeout", "1");

        Assert.True(early.ExitCode == 2, early.ToString());
        var still = JsonDocument.Parse(Media.Lines(early.Stdout)[^1]).RootElement;
        Assert.Equal((accepted.TaskId, MediaTaskStatuses.Running), (still.GetProperty("taskId").GetString(), still.GetProperty("status").GetString()));
        Assert.Contains($"od media wait {accepted.TaskId} --since", early.Stderr, StringComparison.Ordinal);

        fixture.OpenAi.CompleteVideo(jobId, mp4);
        var later = await fixture.OdAsync(run, "media", "wait", accepted.TaskId);

        Assert.True(later.ExitCode == 0, later.ToString());
        var meta = JsonDocument.Parse(Media.Lines(later.Stdout)[^1]).RootElement.GetProperty("file").Deserialize(OdJsonContext.Default.MediaTaskFile)!;
        Assert.Equal(("clip.mp4", (long)mp4.Length, "video", "video/mp4", Media.Sha256(mp4)), (meta.Name, meta.Size, meta.Kind, meta.Mime, meta.Sha256));
        Assert.Equal(mp4, File.ReadAllBytes(Path.Combine(project.Dir, "clip.mp4")));
        Assert.Single(fixture.OpenAi.VideoCreations(prompt));
    }

    [Fact]
    public async Task A_video_task_in_flight_survives_a_kill_9_of_the_service_and_ends_done_with_the_job_created_once()
    {
        const string prompt = "restart: a teaser that outlives the service";
        var (project, run, accepted, jobId) = await PendingVideoTaskAsync(prompt);
        var mp4 = Media.Mp4("restart");

        // Killed while the workflow sleeps between polls, the job pending at OpenAI. (A provider call in flight at
        // the kill would be retried only after its 10-minute start-to-close timeout: the activities do not heartbeat.)
        await EnabledServiceFixture.UntilAsync(async () =>
            (await fixture.TaskAsync(accepted.TaskId)).Progress.Count > 0 && await fixture.PendingActivitiesAsync(accepted.TaskId) == 0,
            "the job is pending at OpenAI and no provider call is in flight");
        await fixture.KillAndRestartAsync();
        var pollsBeforeCompletion = fixture.OpenAi.Polls(jobId);
        fixture.OpenAi.CompleteVideo(jobId, mp4);

        var task = await fixture.EndedAsync(accepted.TaskId);

        Assert.True(task.Status == MediaTaskStatuses.Done, JsonSerializer.Serialize(task, OdJsonContext.Default.MediaTask));
        Assert.Equal(mp4, File.ReadAllBytes(Path.Combine(project.Dir, "clip.mp4")));
        Assert.Equal(Media.Sha256(mp4), task.File!.Sha256);
        Assert.Single(fixture.OpenAi.VideoCreations(prompt));
        Assert.True(fixture.OpenAi.Polls(jobId) > pollsBeforeCompletion, "the restarted service polled the job");
        var statuses = (await ServiceCalls.EventsAsync(fixture.Http, run.RunId))
            .Where(e => e.EventType == MediaTaskEvent.EventName)
            .Select(e => JsonSerializer.Deserialize(e.Data, OdJsonContext.Default.MediaTaskEvent)!.Task.Status).ToList();
        Assert.DoesNotContain(MediaTaskStatuses.Interrupted, statuses);
        Assert.Equal(MediaTaskStatuses.Done, statuses[^1]);
    }

    /// <summary>A run whose agent asked for a Sora video (clip.mp4) that OpenAI keeps in progress until the test completes it.</summary>
    private async Task<(Project Project, RunCreated Run, MediaTaskAccepted Task, string JobId)> PendingVideoTaskAsync(string prompt)
    {
        var jobId = "video_" + Guid.NewGuid().ToString("N");
        fixture.OpenAi.PendingVideo(prompt, jobId);
        var (project, run) = await fixture.CreateRunAsync(prompt);
        var accepted = await ServiceCalls.ReadAsync(
            await ServiceCalls.PostAsync(fixture.Http, ApiRoutes.Tools.MediaGenerate,
                $$"""{"surface":"video","model":"sora-2","prompt":"{{prompt}}","output":"clip.mp4"}""", run.ToolToken),
            HttpStatusCode.Accepted, OdJsonContext.Default.MediaTaskAccepted);
        return (project, run, accepted, jobId);
    }
}
