using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace OpenDesign.Workflows.Api.Tests.External;

/// <summary>
/// A callback token is only as good as the service's secret key: tokens anyone could compute from the request id
/// (a plain hash, an HMAC with an empty or another key) are refused at every callback endpoint, while the genuine
/// one, computed here from the key file and not with the service's code, works, also after a restart.
/// </summary>
[Collection(ExternalModeCollection.Name)]
public sealed class CallbackTokenForgeryTests(ExternalModeFixture fixture)
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 9, 9];

    /// <summary>HMAC-SHA256 of the request id under the key in the data root, base64url: what an executor must receive.</summary>
    public static string GenuineToken(ExternalHarness h, string requestId) =>
        Token(File.ReadAllBytes(Path.Combine(h.DataDir, "callback.key")), requestId);

    private static string Token(byte[] key, string requestId) =>
        "odcb_" + Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(requestId)));

    private static IEnumerable<(string Kind, string Token)> Forgeries(string requestId) =>
    [
        ("sha256 of the id", "odcb_" + Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(requestId)))),
        ("hmac, empty key", Token([], requestId)),
        ("hmac, another key", Token(RandomNumberGenerator.GetBytes(32), requestId)),
    ];

    [Fact]
    public async Task Tokens_computed_without_the_secret_key_are_refused_and_the_genuine_one_survives_a_restart()
    {
        await using var h = new ExternalHarness(fixture.Temporal);
        h.Executor.Given(Request.Create().WithPath("/submit").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(202).WithHeader("Content-Type", "application/json").WithBody("""{"externalRequestId":"ext-1"}"""));
        var (_, run, request) = await h.SubmittedRequestAsync();
        var genuine = GenuineToken(h, request.Id);
        Assert.Equal(genuine, h.CallbackToken(request.Id));

        await AssertForgeriesRefusedAsync(h, request.Id);
        await h.RestartServiceAsync();
        await AssertForgeriesRefusedAsync(h, request.Id);
        Assert.Equal(MediaRequestStatuses.Submitted, (await h.Api.GetRequestAsync(request.Id)).Status);
        Assert.Equal(["created", "submitted"], await h.RunEventActionsAsync(run.RunId));

        // The token issued before the restart is still the service's: the key is read back from the same data root.
        using var fulfil = await h.Api.FulfillBytesAsync(request.Id, Png, "image/png", genuine);
        Assert.Equal(MediaRequestStatuses.Fulfilled, (await OdClient.ReadAsync(fulfil, HttpStatusCode.OK, OdJsonContext.Default.MediaRequest)).Status);
    }

    private static async Task AssertForgeriesRefusedAsync(ExternalHarness h, string requestId)
    {
        foreach (var (_, token) in Forgeries(requestId))
        {
            using (var fulfil = await h.Api.FulfillBytesAsync(requestId, Png, "image/png", token))
                await OdClient.ProblemAsync(fulfil, HttpStatusCode.Unauthorized, ErrorCodes.CallbackTokenInvalid);
            using (var fail = await h.Api.PostJsonAsync($"/api/media-requests/{requestId}/fail", """{"message":"forged","code":"FORGED"}""", token))
                await OdClient.ProblemAsync(fail, HttpStatusCode.Unauthorized, ErrorCodes.CallbackTokenInvalid);
            using (var progress = await h.Api.PostJsonAsync($"/api/media-requests/{requestId}/progress", """{"message":"forged"}""", token))
                await OdClient.ProblemAsync(progress, HttpStatusCode.Unauthorized, ErrorCodes.CallbackTokenInvalid);
        }
    }
}
