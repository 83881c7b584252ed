using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace OpenDesign.Workflows.Cli.Tests;

/// <summary><c>od media requests ...</c>: what an operator uses to answer a run's requests.</summary>
public sealed class MediaRequestTests : IDisposable
{
    private readonly FakeService service = new();
    private readonly string folder = Directory.CreateTempSubdirectory("od-cli-tests-").FullName;

    [Theory]
    [InlineData("poster.png", "image/png")]
    [InlineData("clip.MP4", "video/mp4")]
    [InlineData("voice.m4a", "audio/mp4")]
    [InlineData("photo.jpeg", "image/jpeg")]
    [InlineData("notes.bin", "application/octet-stream")]
    public async Task Fulfill_uploads_the_exact_bytes_with_the_content_type_and_file_name(string name, string contentType)
    {
        var bytes = new byte[70_000];
        new Random(42).NextBytes(bytes);
        var path = Path.Combine(folder, name);
        await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);
        var file = new FulfilledFile("poster.png", "image", contentType, bytes.Length, "poster.png", "abc123");
        service.Reply("POST", "/api/media-requests/mreq_1/fulfill", 200, Samples.MediaRequest(status: "fulfilled", file: file), OdJsonContext.Default.MediaRequest);

        var result = await OdProcess.RunAsync(["media", "requests", "fulfill", "mreq_1", "--file", path], Samples.Env(service.Url));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("media request mreq_1 fulfilled", result.Stdout);
        Assert.Contains($"poster.png ({contentType}, {bytes.Length} bytes, sha256 abc123)", result.Stdout);
        var upload = Assert.Single(service.Requests);
        Assert.Equal("POST", upload.Method);
        Assert.Equal(bytes, upload.Bytes);
        Assert.Equal(contentType, upload.Header("Content-Type"));
        Assert.Equal(name, upload.Header("X-File-Name"));
    }

    [Fact]
    public async Task Fulfill_of_a_terminal_request_is_refused_with_the_code()
    {
        var path = Path.Combine(folder, "poster.png");
        await File.WriteAllBytesAsync(path, [1, 2, 3], TestContext.Current.CancellationToken);
        service.ReplyProblem("POST", "/api/media-requests/mreq_1/fulfill", 409, ErrorCodes.MediaRequestTerminal, "media request is already cancelled");

        var result = await OdProcess.RunAsync(["media", "requests", "fulfill", "mreq_1", "--file", path], Samples.Env(service.Url));

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("refused (409 MEDIA_REQUEST_TERMINAL): media request is already cancelled", result.Stderr);
    }

    [Fact]
    public async Task List_follows_next_cursor_until_every_page_is_read()
    {
        service.Server.Given(Request.Create().WithPath("/api/runs/run_1/media-requests").WithParam("cursor", "c2").UsingGet())
            .AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody(JsonSerializer.Serialize(new MediaRequestList([Samples.MediaRequest("mreq_3")]), OdJsonContext.Default.MediaRequestList)));
        service.Server.Given(Request.Create().WithPath("/api/runs/run_1/media-requests").UsingGet())
            .AtPriority(2)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody(JsonSerializer.Serialize(new MediaRequestList([Samples.MediaRequest("mreq_1"), Samples.MediaRequest("mreq_2")], "c2"), OdJsonContext.Default.MediaRequestList)));

        var json = await OdProcess.RunAsync(["media", "requests", "list", "--run", "run_1", "--json"], Samples.Env(service.Url));
        var table = await OdProcess.RunAsync(["media", "requests", "list", "--run", "run_1"], Samples.Env(service.Url));

        Assert.True(json.ExitCode == 0, json.ToString());
        var list = JsonSerializer.Deserialize(json.Stdout, OdJsonContext.Default.MediaRequestList)!;
        Assert.Equal(["mreq_1", "mreq_2", "mreq_3"], list.Requests.Select(r => r.Id));
        Assert.Null(list.NextCursor);
        Assert.Equal(0, table.ExitCode);
        var rows = table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("REQUEST", rows[0]);
        Assert.Equal(["mreq_1", "mreq_2", "mreq_3"], rows.Skip(1).Select(r => r.Split(' ')[0]));
        Assert.Equal(4, service.Requests.Count);
    }

    [Fact]
    public async Task Fail_sends_the_message_and_code()
    {
        service.Reply("POST", "/api/media-requests/mreq_1/fail", 200, Samples.MediaRequest(status: "failed"), OdJsonContext.Default.MediaRequest);

        var result = await OdProcess.RunAsync(["media", "requests", "fail", "mreq_1", "--message", "no budget left", "--code", "BUDGET"], Samples.Env(service.Url));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("media request mreq_1 failed: image \"poster.png\" (request-only)", result.Stdout.Trim());
        var sent = JsonSerializer.Deserialize(Assert.Single(service.Requests).Body!, OdJsonContext.Default.FailMediaRequestRequest);
        Assert.Equal(new FailMediaRequestRequest("no budget left", "BUDGET"), sent);
    }

    [Fact]
    public async Task Get_and_cancel_address_the_request_by_id()
    {
        service.Reply("GET", "/api/media-requests/mreq_1", 200, Samples.MediaRequest(), OdJsonContext.Default.MediaRequest);
        service.Reply("POST", "/api/media-requests/mreq_1/cancel", 200, Samples.MediaRequest(status: "cancelled"), OdJsonContext.Default.MediaRequest);

        var get = await OdProcess.RunAsync(["media", "requests", "get", "mreq_1"], Samples.Env(service.Url));
        var cancel = await OdProcess.RunAsync(["media", "requests", "cancel", "mreq_1"], Samples.Env(service.Url));

        Assert.Equal(0, get.ExitCode);
        Assert.Contains("prompt", get.Stdout);
        Assert.Contains("a campaign poster", get.Stdout);
        Assert.Equal(0, cancel.ExitCode);
        Assert.Equal("media request mreq_1 cancelled: image \"poster.png\" (request-only)", cancel.Stdout.Trim());
        Assert.Equal(["GET /api/media-requests/mreq_1", "POST /api/media-requests/mreq_1/cancel"],
            service.Requests.Select(r => $"{r.Method} {r.Path}"));
    }

    public void Dispose()
    {
        service.Dispose();
        Directory.Delete(folder, recursive: true);
    }
}
