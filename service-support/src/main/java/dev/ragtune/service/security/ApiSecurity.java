package dev.ragtune.service.security;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.function.Function;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;

import dev.ragtune.service.errors.ErrorMappers;

/**
 * What a service tells {@link ApiKeyFilter}: its API keys and roles, the annotation naming the role an endpoint
 * needs, and its authentication realm. Each service has exactly one {@code @ApplicationScoped} bean extending this:
 *
 * <pre>{@code
 * @ApplicationScoped
 * public class RegistrySecurity extends ApiSecurity {
 *     @Inject
 *     RegistrySecurity(RegistryConfig config) {
 *         super("ragtune-registry", Role.ADMIN, RequiresRole.class, RequiresRole::value, config.apiKeys());
 *     }
 * }
 * }</pre>
 *
 * Application scoped, not singleton: RESTEasy Reactive creates the filter while the application is built (static
 * init), before runtime configuration exists; the client proxy defers creating the bean, and so reading the keys,
 * to the first request. Hence the no-argument constructor and no final methods: the proxy delegates every call.
 */
public abstract class ApiSecurity {

    private final String realm;
    private final ApiRole fallback;
    private final Function<AnnotatedElement, ApiRole> declaredRole;
    private final ApiKeys keys;

    /**
     * @param realm      the {@code WWW-Authenticate: Bearer realm} of 401 responses
     * @param fallback   the role an endpoint without a declared role needs: the highest (fail closed); its enum is
     *                   the service's set of roles
     * @param annotation the service's annotation naming the least role of an endpoint (a method, or every method of
     *                   a class)
     * @param role       the role an annotation names
     * @param apiKeys    the configured keys, key → {@code role} or {@code role:actor} ({@code ragtune.<service>.api-keys})
     * @throws IllegalArgumentException for a key whose role is not one of the service's
     */
    protected <R extends Enum<R> & ApiRole, A extends Annotation> ApiSecurity(String realm, R fallback, Class<A> annotation,
            Function<A, R> role, Map<String, String> apiKeys) {
        this.realm = realm;
        this.fallback = fallback;
        this.declaredRole = element -> {
            A a = element.getAnnotation(annotation);
            return a == null ? null : role.apply(a);
        };
        this.keys = new ApiKeys(apiKeys, fallback.getDeclaringClass());
    }

    /** Only for the CDI client proxy (generated subclass), which delegates every call to the real bean. */
    protected ApiSecurity() {
        this.realm = null;
        this.fallback = null;
        this.declaredRole = null;
        this.keys = null;
    }

    /**
     * The response for a request that is refused (401, 403): the JSON error body. A service whose endpoints use
     * another error shape on some paths overrides this.
     */
    protected Response rejection(ContainerRequestContext request, int status, String code, String message) {
        return ErrorMappers.response(status, code, message);
    }

    public String realm() {
        return realm;
    }

    public ApiKeys keys() {
        return keys;
    }

    /** The least role an endpoint needs: its method's declared role, else its class's, else the fallback. */
    public ApiRole requiredRole(ResourceInfo resource) {
        Method m = resource == null ? null : resource.getResourceMethod();
        if (m != null) {
            ApiRole r = declaredRole.apply(m);
            if (r == null) {
                r = declaredRole.apply(resource.getResourceClass());
            }
            if (r != null) {
                return r;
            }
        }
        return fallback;
    }
}
