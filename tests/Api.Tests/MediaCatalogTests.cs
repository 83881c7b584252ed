using System.Net;
using System.Text.Json.Nodes;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Tests;

/// <summary><c>GET /api/media/models</c> in Open Design's shape, and the catalog check on an enabled run's allowedModels.</summary>
public sealed class MediaCatalogTests : IDisposable
{
    private const string StoredKey = "sk-stored-SECRET-openai-key-W7k2";
    private const string EnvToken = "r8_env-SECRET-replicate-token-Q9z1";

    private readonly TempDir _dir = new();
    private readonly TempDir _config = new();

    public void Dispose()
    {
        _dir.Dispose();
        _config.Dispose();
    }

    /// <summary>The service with its media config directory here and the provider variables the test says, whatever the machine has.</summary>
    private OdApp App(string? openAiKey = "", string? replicateToken = "") => new(_dir.Path, settings: new Dictionary<string, string?>
    {
        ["OD_MEDIA_CONFIG_DIR"] = _config.Path,
        ["OPENAI_API_KEY"] = openAiKey,
        ["REPLICATE_API_TOKEN"] = replicateToken,
    });

    /// <summary>Writes media-config.json in Open Design's shape with one provider's settings.</summary>
    private void Store(string provider, JsonObject settings) =>
        File.WriteAllText(Path.Combine(_config.Path, "media-config.json"),
            new JsonObject { ["providers"] = new JsonObject { [provider] = settings } }.ToJsonString());

    [Fact]
    public async Task The_catalog_lists_providers_with_their_credential_status_and_models_per_surface()
    {
        Store("openai", new JsonObject { ["apiKey"] = StoredKey, ["baseUrl"] = "http://gateway.test/v1" });
        using var app = App(replicateToken: EnvToken);
        using var api = app.Api();

        var text = await api.Http.GetStringAsync("/api/media/models", TestContext.Current.CancellationToken);

        const string expected = """
            {
              "providers": [
                {"id":"openai","label":"OpenAI","integrated":true,"defaultBaseUrl":"https://api.openai.com/v1",
                 "configured":true,"source":"stored","baseUrl":"http://gateway.test/v1","apiKeyTail":"W7k2"},
                {"id":"replicate","label":"Replicate","integrated":true,"defaultBaseUrl":"https://api.replicate.com/v1",
                 "configured":true,"source":"env","baseUrl":"https://api.replicate.com/v1"}
              ],
              "image": [
                {"id":"gpt-image-2","label":"GPT Image 2","provider":"openai","default":true},
                {"id":"gpt-image-1.5","label":"GPT Image 1.5","provider":"openai"},
                {"id":"gpt-image-1","label":"GPT Image 1","provider":"openai"},
                {"id":"gpt-image-1-mini","label":"GPT Image 1 mini","provider":"openai"},
                {"id":"dall-e-3","label":"DALL-E 3","provider":"openai"},
                {"id":"flux-schnell","label":"FLUX.1 [schnell]","provider":"replicate"},
                {"id":"ideogram-v2","label":"Ideogram v2","provider":"replicate"},
                {"id":"sd-3.5","label":"Stable Diffusion 3.5 Large","provider":"replicate"}
              ],
              "video": [
                {"id":"sora-2","label":"Sora 2","provider":"openai","default":true},
                {"id":"sora-2-pro","label":"Sora 2 Pro","provider":"openai"},
                {"id":"kling-1.6","label":"Kling 1.6","provider":"replicate"},
                {"id":"minimax-video-01","label":"MiniMax Video-01","provider":"replicate"}
              ],
              "audio": {
                "music": [],
                "speech": [{"id":"gpt-4o-mini-tts","label":"GPT-4o mini TTS","provider":"openai","default":true}],
                "sfx": []
              },
              "aspects": ["1:1","16:9","9:16","4:3","3:4"],
              "videoLengthsSec": [3,5,8,10,15,30],
              "audioDurationsSec": [5,10,15,30,60,120]
            }
            """;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(text)), text);
        Assert.DoesNotContain(StoredKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(EnvToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_keys_every_provider_is_unset_and_a_key_stored_later_shows_at_once()
    {
        using var app = App();
        using var api = app.Api();

        var before = JsonNode.Parse(await api.Http.GetStringAsync("/api/media/models", TestContext.Current.CancellationToken))!["providers"]!;
        Store("replicate", new JsonObject { ["apiKey"] = EnvToken });
        var after = JsonNode.Parse(await api.Http.GetStringAsync("/api/media/models", TestContext.Current.CancellationToken))!["providers"]!;

        Assert.Equal(
            """[{"id":"openai","label":"OpenAI","integrated":true,"defaultBaseUrl":"https://api.openai.com/v1","configured":false,"source":"unset","baseUrl":"https://api.openai.com/v1"},"""
            + """{"id":"replicate","label":"Replicate","integrated":true,"defaultBaseUrl":"https://api.replicate.com/v1","configured":false,"source":"unset","baseUrl":"https://api.replicate.com/v1"}]""",
            before.ToJsonString());
        Assert.Equal(
            """{"id":"replicate","label":"Replicate","integrated":true,"defaultBaseUrl":"https://api.replicate.com/v1","configured":true,"source":"stored","baseUrl":"https://api.replicate.com/v1","apiKeyTail":"Q9z1"}""",
            after[1]!.ToJsonString());
    }

    [Fact]
    public async Task A_tool_token_may_not_read_the_catalog()
    {
        using var app = App();
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();

        using var response = await api.SendAsync(HttpMethod.Get, ApiRoutes.Media.Models, run.ToolToken);

        await OdClient.ProblemAsync(response, HttpStatusCode.Forbidden, ErrorCodes.ToolEndpointDenied);
    }

    [Fact]
    public async Task An_enabled_run_whose_allowedModels_names_a_model_outside_the_catalog_is_refused_and_not_created()
    {
        using var app = App();
        using var api = app.Api();
        var project = await api.CreateProjectAsync();

        using var response = await api.PostJsonAsync("/api/runs",
            $$$"""{"projectId":"{{{project.Id}}}","mediaExecution":{"mode":"enabled","allowedModels":["gpt-image-2","imagen-9-ultra"]}}""");

        var problem = await OdClient.ProblemAsync(response, HttpStatusCode.BadRequest, ErrorCodes.MediaModelUnknown);
        Assert.Equal("mediaExecution.allowedModels names \"imagen-9-ultra\", which is not a model of this service's catalog (GET /api/media/models)", problem.Detail);
        Assert.Equal(0, app.Count("runs"));
    }

    [Theory]
    [InlineData("""{"mode":"enabled","allowedSurfaces":["image"],"allowedModels":["gpt-image-2"]}""")]
    [InlineData("""{"mode":"enabled","allowedModels":["sora-2","flux-schnell","gpt-4o-mini-tts"]}""")]
    [InlineData("""{"mode":"request-only","allowedModels":["imagen-9-ultra"]}""")]
    [InlineData("""{"mode":"disabled","allowedModels":["imagen-9-ultra"]}""")]
    public async Task Catalog_models_and_any_model_outside_enabled_mode_are_accepted(string policy)
    {
        using var app = App();
        using var api = app.Api();
        var project = await api.CreateProjectAsync();

        var created = await api.CreateRunAsync(project.Id, policy);

        Assert.Equal(RunStatuses.Running, created.Status);
    }
}
