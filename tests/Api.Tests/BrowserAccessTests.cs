using System.Net;
using System.Text;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Tests;

/// <summary>
/// The names and origins an operator adds (Od:AllowedHosts, Od:AllowedOrigins, Od:PublicBaseUrl) are let in, with
/// CORS answers for the listed origins; everything else stays refused. The real-process checks of the defaults are in
/// the CLI suite (BrowserRequestTests), where Kestrel parses the Host header.
/// </summary>
public sealed class BrowserAccessTests : IDisposable
{
    private const string Ui = "http://ui.example:3000";
    private readonly TempDir _dir = new();

    [Fact]
    public async Task A_configured_origin_may_call_and_gets_cors_answers_while_its_neighbour_may_not()
    {
        using var app = new OdApp(_dir.Path, settings: new Dictionary<string, string?> { ["Od:AllowedOrigins"] = $"{Ui}; https://other.example" });
        using var api = app.Api();

        using (var preflight = await SendAsync(api, HttpMethod.Options, "/api/projects", Ui, preflight: true))
        {
            Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
            Assert.Equal(Ui, preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }
        using (var created = await SendAsync(api, HttpMethod.Post, "/api/projects", Ui, json: """{"name":"from the ui"}"""))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal(Ui, created.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }
        using (var neighbour = await SendAsync(api, HttpMethod.Post, "/api/projects", "http://ui.example:3001", json: """{"name":"x"}"""))
            await OdClient.ProblemAsync(neighbour, HttpStatusCode.Forbidden, ErrorCodes.OriginNotAllowed);
        using (var neighbourPreflight = await SendAsync(api, HttpMethod.Options, "/api/projects", "http://ui.example:3001", preflight: true))
        {
            await OdClient.ProblemAsync(neighbourPreflight, HttpStatusCode.Forbidden, ErrorCodes.OriginNotAllowed);
            Assert.False(neighbourPreflight.Headers.Contains("Access-Control-Allow-Origin"));
        }
        Assert.Equal(1, app.Count("projects"));
    }

    [Fact]
    public async Task Origins_may_also_be_given_as_an_array()
    {
        using var app = new OdApp(_dir.Path, settings: new Dictionary<string, string?> { ["Od:AllowedOrigins:0"] = Ui });
        using var api = app.Api();
        using var created = await SendAsync(api, HttpMethod.Post, "/api/projects", Ui, json: "{}");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Theory]
    [InlineData("od.example.com", true)]
    [InlineData("a.corp.example", true)]
    [InlineData("public.example.net:8443", true)]
    [InlineData("localhost", true)]
    [InlineData("127.0.0.1:9999", true)]
    [InlineData("[::1]", true)]
    [InlineData("corp.example", false)]
    [InlineData("od.example.com.attacker.example", false)]
    [InlineData("10.1.2.3", false)]
    public async Task Configured_host_names_and_the_public_base_url_are_answered_and_no_other(string host, bool allowed)
    {
        using var app = new OdApp(_dir.Path, settings: new Dictionary<string, string?>
        {
            ["Od:AllowedHosts"] = "od.example.com;*.corp.example",
            ["Od:PublicBaseUrl"] = "https://public.example.net/od",
        });
        using var api = app.Api();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/runs");
        request.Headers.Host = host;
        using var response = await api.Http.SendAsync(request);
        if (allowed) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        else await OdClient.ProblemAsync(response, HttpStatusCode.BadRequest, ErrorCodes.HostNotAllowed);
    }

    [Fact]
    public async Task The_public_base_url_is_an_allowed_origin()
    {
        using var app = new OdApp(_dir.Path, settings: new Dictionary<string, string?> { ["Od:PublicBaseUrl"] = "https://public.example.net/od" });
        using var api = app.Api();
        using (var ok = await SendAsync(api, HttpMethod.Post, "/api/projects", "https://public.example.net", json: "{}"))
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        using (var http = await SendAsync(api, HttpMethod.Post, "/api/projects", "http://public.example.net", json: "{}"))
            await OdClient.ProblemAsync(http, HttpStatusCode.Forbidden, ErrorCodes.OriginNotAllowed);
    }

    private static Task<HttpResponseMessage> SendAsync(OdClient api, HttpMethod method, string path, string origin, string? json = null, bool preflight = false)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("Origin", origin);
        if (preflight)
        {
            request.Headers.TryAddWithoutValidation("Access-Control-Request-Method", "POST");
            request.Headers.TryAddWithoutValidation("Access-Control-Request-Headers", "content-type");
        }
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return api.Http.SendAsync(request);
    }

    public void Dispose() => _dir.Dispose();
}
