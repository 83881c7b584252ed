using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenDesign.Workflows.Api.Agents;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.Agents;
using OpenDesign.Workflows.Domain.Projects;
using OpenDesign.Workflows.Domain.Runs;

namespace OpenDesign.Workflows.Api.Endpoints;

/// <summary><c>GET /api/agents</c> and <c>GET /api/runs/{id}/prompt</c>: the configured agents, and the prompt a run's agent is (or would be) given.</summary>
internal static class AgentsEndpoints
{
    public static void MapAgents(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Agents");
        group.MapGet(ApiRoutes.Agents.Collection, ListAgents);
        group.MapGet(ApiRoutes.Runs.Prompt, GetPrompt);
    }

    /// <summary>Ids, command names and arguments; never an agent's configured environment.</summary>
    internal static Ok<AgentList> ListAgents(AgentSupervisor supervisor) => TypedResults.Ok(new AgentList(supervisor.List()));

    /// <summary>
    /// The composed prompt as plain text, exactly what the agent gets on stdin and in <c>OD_PROMPT_FILE</c>, for an
    /// orchestrator that runs its own agent.
    /// </summary>
    internal static ContentHttpResult GetPrompt(string id, RunStore runs, ProjectStore projects)
    {
        var run = runs.Get(id);
        var project = projects.Get(run.ProjectId);
        var text = PromptComposer.Compose(new PromptInput(run.MediaExecution, run.AgentId, project.Id, project.Name, run.Message));
        return TypedResults.Text(text, "text/plain; charset=utf-8");
    }

    /// <summary>The optional <c>launch</c> field of a run's creation: a JSON boolean, or absent/null for "launch when the agent is configured".</summary>
    internal static bool? ReadLaunch(JsonElement body) =>
        !body.TryGetProperty("launch", out var launch) ? null : launch.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Null => null,
            _ => throw DomainException.Invalid("launch must be true or false"),
        };
}
