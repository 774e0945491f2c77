using TaskFlow.Grains;

namespace TaskFlow.Dispatch;

/// <summary>Where the grant of each waiting task goes: the dispatch agent of the silo its request came from. Grants are
/// grouped per agent, so a round of grants costs one message per silo, not one per task. Free of Orleans: the route is
/// any key (the dispatcher uses the agents' observer references).</summary>
public sealed class GrantRoutes<TRoute> where TRoute : notnull
{
    private readonly Dictionary<Guid, TRoute> _routes = [];

    /// <summary>Tasks with a route.</summary>
    public int Count => _routes.Count;

    /// <summary>The task's request came through <paramref name="route"/>; a later request (the task moved to another
    /// silo) replaces an earlier one.</summary>
    public void Remember(Guid taskId, TRoute route) => _routes[taskId] = route;

    /// <summary>The task no longer waits (withdrawn).</summary>
    public void Forget(Guid taskId) => _routes.Remove(taskId);

    /// <summary>Groups granted tasks by route, in grant order within each route, and forgets them; tasks without a route
    /// (none is known) come back in <paramref name="unrouted"/>.</summary>
    public Dictionary<TRoute, List<Guid>> Take(IEnumerable<SlotRequest> grants, out List<Guid> unrouted)
    {
        ArgumentNullException.ThrowIfNull(grants);
        var byRoute = new Dictionary<TRoute, List<Guid>>();
        unrouted = [];
        foreach (var grant in grants)
        {
            if (!_routes.Remove(grant.TaskId, out var route))
            {
                unrouted.Add(grant.TaskId);
                continue;
            }
            if (!byRoute.TryGetValue(route, out var ids)) byRoute[route] = ids = [];
            ids.Add(grant.TaskId);
        }
        return byRoute;
    }
}
