using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Cli.Commands;

/// <summary>
/// The <c>mediaExecution</c> policy of <c>od runs create</c>, from either the short flags or a whole JSON policy.
/// </summary>
/// <remarks>
/// A <c>--media-policy</c> document is sent as written (only checked to be JSON), so the service, which owns
/// validation and its exact messages, judges it, and fields this od does not know yet still get through.
/// </remarks>
internal sealed class MediaPolicyInput
{
    public Option<string> Mode { get; } = new Option<string>("--media-mode", "--mode")
    {
        Description = "Media execution mode of the run [default: the service's, enabled]",
        HelpName = "mode",
    }.AcceptingOnly(MediaExecutionModes.All);

    public Option<string[]> AllowedSurfaces { get; } = new("--allowed-surface")
    {
        Description = "Allow only this surface (image, video, audio); repeat for several; none means any",
        HelpName = "surface",
    };

    public Option<string[]> AllowedModels { get; } = new("--allowed-model")
    {
        Description = "Allow only this model id; repeat for several; none means any",
        HelpName = "model",
    };

    public Option<string> Policy { get; } = new("--media-policy")
    {
        Description = "The whole mediaExecution policy as JSON, or @file to read it from a file (needed for external mode's executor)",
        HelpName = "json|@file",
    };

    public IEnumerable<Symbol> Options => [Mode, AllowedSurfaces, AllowedModels, Policy];

    /// <summary>The policy node to send, or null to let the service apply its default.</summary>
    public JsonNode? Read(CommandContext context)
    {
        var mode = context.Get(Mode);
        var surfaces = context.Get(AllowedSurfaces) ?? [];
        var models = context.Get(AllowedModels) ?? [];
        var document = context.Get(Policy);

        if (document is not null)
        {
            if (mode is not null || surfaces.Length > 0 || models.Length > 0)
            {
                throw CliException.Usage("use either --media-policy or --media-mode/--allowed-surface/--allowed-model, not both");
            }

            return ParseDocument(document);
        }

        if (mode is null && surfaces.Length == 0 && models.Length == 0)
        {
            return null;
        }

        // Allowlists without a mode narrow the default mode, which is enabled.
        var policy = new MediaExecutionPolicy(
            mode ?? MediaExecutionModes.Enabled,
            surfaces.Length > 0 ? surfaces : null,
            models.Length > 0 ? models : null);
        return JsonSerializer.SerializeToNode(policy, OdJsonContext.Default.MediaExecutionPolicy);
    }

    private static JsonNode? ParseDocument(string document)
    {
        var text = document;
        if (document.StartsWith('@'))
        {
            var path = document[1..];
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw CliException.Usage($"cannot read --media-policy file '{path}': {e.Message}");
            }
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw CliException.Usage($"--media-policy is not valid JSON: {e.Message}");
        }
    }
}
