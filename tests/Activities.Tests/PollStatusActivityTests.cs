using System.Security.Cryptography;
using OpenDesign.Workflows.Activities.Tests.Support;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Workflows;
using Temporalio.Exceptions;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static OpenDesign.Workflows.Activities.Tests.Support.ActivityHarness;

namespace OpenDesign.Workflows.Activities.Tests;

public sealed class PollStatusActivityTests : IAsyncLifetime
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4, 5, 6, 7, 8];

    private readonly ActivityHarness _h = new(o => o.MaxUploadBytes = 1024);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    private string StatusUrl => _h.Url("/status/ext-1?sig=abc");

    private void Status(string body) =>
        _h.Executor.Given(Request.Create().WithPath("/status/ext-1").WithParam("sig", "abc").UsingGet()).RespondWith(Json(200, body));

    private void Fulfilled(string file, byte[] bytes, string contentType)
    {
        Status($$$"""{"status":"fulfilled","result":{"url":"{{{_h.Url("/files/" + file)}}}"}}""");
        _h.Executor.Given(Request.Create().WithPath("/files/" + file).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", contentType).WithBody(bytes));
    }

    [Fact]
    public async Task A_running_answer_passes_its_message_and_percent_and_changes_nothing()
    {
        Status("""{"status":"running","message":"rendering","percent":50}""");
        var (_, run, request) = await _h.NewExternalRequestAsync();

        var outcome = await _h.RunAsync(request.Id, a => a.PollStatusAsync(request.Id, StatusUrl));

        Assert.Equal(new PollOutcome(ExecutorStatuses.Running, "rendering", 50), outcome);
        var call = Assert.Single(_h.AllCalls());
        Assert.Equal(StatusUrl, call.AbsoluteUrl);
        Assert.Equal("Bearer " + Secret, Header(call, "Authorization"));
        Assert.Equal(MediaRequestStatuses.Requested, _h.Requests.Get(request.Id).Status);
        Assert.Equal(["created"], _h.Actions(run.RunId));
    }

    [Fact]
    public async Task A_failed_answer_passes_the_executors_error()
    {
        Status("""{"status":"failed","error":{"message":"the prompt was refused","code":"CONTENT_POLICY"}}""");
        var (_, _, request) = await _h.NewExternalRequestAsync();

        var outcome = await _h.RunAsync(request.Id, a => a.PollStatusAsync(request.Id, StatusUrl));

        Assert.Equal(ExecutorStatuses.Failed, outcome.Status);
        Assert.Equal(new MediaRequestError("the prompt was refused", "CONTENT_POLICY"), outcome.Error);
        Assert.Null(outcome.File);
        Assert.Equal(MediaRequestStatuses.Requested, _h.Requests.Get(request.Id).Status);
    }

    [Fact]
    public async Task A_fulfilled_answer_downloads_the_result_into_staging()
    {
        Fulfilled("out.png", Png, "image/png");
        var (_, run, request) = await _h.NewExternalRequestAsync();

        var outcome = await _h.RunAsync(request.Id, a => a.PollStatusAsync(request.Id, StatusUrl));

        Assert.Equal(ExecutorStatuses.Fulfilled, outcome.Status);
        var file = outcome.File!;
        Assert.Equal(Png.Length, file.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Png)), file.Sha256);
        Assert.Equal("image/png", file.Mime);
        var staged = Assert.Single(_h.StagingFiles());
        Assert.Equal(file.Name, Path.GetFileName(staged));
        Assert.Equal(Png, await File.ReadAllBytesAsync(staged, TestContext.Current.CancellationToken));
        // Staged, not committed: the commit activity moves it into the project.
        Assert.Equal(MediaRequestStatuses.Requested, _h.Requests.Get(request.Id).Status);
        Assert.Equal(["created"], _h.Actions(run.RunId));
    }

    [Fact]
    public async Task A_generic_content_type_falls_back_to_the_result_file_name()
    {
        Fulfilled("out.webp", Png, "application/octet-stream");
        var (_, _, request) = await _h.NewExternalRequestAsync();

        var outcome = await _h.RunAsync(request.Id, a => a.PollStatusAsync(request.Id, StatusUrl));

        Assert.Equal("image/webp", outcome.File!.Mime);
    }

    [Fact]
    public async Task A_result_of_the_wrong_kind_is_refused_and_nothing_stays_staged()
    {
        Fulfilled("out.mp3", [1, 2, 3, 4], "audio/mpeg");
        var (_, _, request) = await _h.NewExternalRequestAsync();

        var poll = await _h.RunAsync(request.Id, a => a.PollStatusAsync(request.Id, StatusUrl));

        // An unusable result fails the request rather than being downloaded again at every poll.
        Assert.Equal(ExecutorStatuses.Failed, poll.Status);
        Assert.Equal(ErrorCodes.MediaKindMismatch, poll.Error!.Code);
        Assert.Null(poll.File);
        Assert.Empty(_h.StagingFiles());
        Assert.Equal(MediaRequestStatuses.Requested, _h.Requests.Get(request.Id).Status);
    }

    [Fact]
    public async Task An_oversized_result_is_refused_and_nothing_stays_staged()
    {
        Fulfilled("big.png", new byte[4096], "image/png");
        var (_, _, request) = await _h.NewExternalRequestAsync();

        var poll = await _h.RunAsync(request.Id, a => a.PollStatusAsync(request.Id, StatusUrl));

        Assert.Equal(ExecutorStatuses.Failed, poll.Status);
        Assert.Equal(ErrorCodes.PayloadTooLarge, poll.Error!.Code);
        Assert.Empty(_h.StagingFiles());
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("/files/relative.png")]
    public async Task A_result_url_that_is_not_absolute_http_is_not_fetched(string url)
    {
        Status($$$"""{"status":"fulfilled","result":{"url":"{{{url}}}"}}""");
        var (_, _, request) = await _h.NewExternalRequestAsync();

        var poll = await _h.RunAsync(request.Id, a => a.PollStatusAsync(request.Id, StatusUrl));

        Assert.Equal(ExecutorStatuses.Failed, poll.Status);
        Assert.Equal(ErrorCodes.DownloadFailed, poll.Error!.Code);
        Assert.Single(_h.AllCalls());
        Assert.Empty(_h.StagingFiles());
    }

    [Fact]
    public async Task A_result_url_that_answers_an_error_is_retried_at_the_next_poll()
    {
        Status($$$"""{"status":"fulfilled","result":{"url":"{{{_h.Url("/files/missing.png")}}}"}}""");
        _h.Executor.Given(Request.Create().WithPath("/files/missing.png")).RespondWith(Response.Create().WithStatusCode(404));
        var (_, _, request) = await _h.NewExternalRequestAsync();

        var e = await Assert.ThrowsAsync<ApplicationFailureException>(() => _h.RunAsync(request.Id, a => a.PollStatusAsync(request.Id, StatusUrl)));

        Assert.False(e.NonRetryable);
        Assert.Equal("ResultUnavailable", e.ErrorType);
        Assert.Empty(_h.StagingFiles());
    }

    [Theory]
    [InlineData(500)]
    [InlineData(404)]
    public async Task A_status_url_that_answers_an_error_throws_a_retryable_failure(int status)
    {
        _h.Executor.Given(Request.Create().WithPath("/status/ext-1")).RespondWith(Response.Create().WithStatusCode(status));
        var (_, _, request) = await _h.NewExternalRequestAsync();

        var e = await Assert.ThrowsAsync<ApplicationFailureException>(() => _h.RunAsync(request.Id, a => a.PollStatusAsync(request.Id, StatusUrl)));

        Assert.False(e.NonRetryable);
        Assert.Equal("StatusUnavailable", e.ErrorType);
    }
}
