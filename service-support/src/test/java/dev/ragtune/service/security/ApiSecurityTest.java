package dev.ragtune.service.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Method;
import java.util.Map;

import jakarta.ws.rs.container.ResourceInfo;

import org.junit.jupiter.api.Test;

/** Roles, keys and the required role of an endpoint, with a service's role set as the services declare theirs. */
class ApiSecurityTest {

    enum Role implements ApiRole {
        READER, OPS, ADMIN;

        @Override
        public boolean implies(ApiRole required) {
            return this == required || this == ADMIN || (this == OPS && required == READER);
        }
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.TYPE})
    @interface RequiresRole {
        Role value();
    }

    static final class Security extends ApiSecurity {
        Security(Map<String, String> keys) {
            super("ragtune-test", Role.ADMIN, RequiresRole.class, RequiresRole::value, keys);
        }
    }

    @RequiresRole(Role.READER)
    static class ReaderResource {
        public void inherits() {
        }

        @RequiresRole(Role.OPS)
        public void ops() {
        }
    }

    static class PlainResource {
        public void unannotated() {
        }
    }

    @Test
    void rolesParseByIdAndListTheServicesRolesWhenUnknown() {
        assertThat(ApiRole.parse(Role.class, " Ops ")).isEqualTo(Role.OPS);
        assertThat(Role.ADMIN.id()).isEqualTo("admin");
        assertThatThrownBy(() -> ApiRole.parse(Role.class, "publisher"))
                .hasMessage("unknown role 'publisher' (reader, ops, admin)");
    }

    @Test
    void keysAreLookedUpWithTheirRoleAndActor() {
        ApiKeys keys = new ApiKeys(Map.of("k-ops", "ops:deploy-bot", "k-reader", "reader"), Role.class);
        assertThat(keys.lookup("k-ops")).hasValue(new ApiKeys.Principal(Role.OPS, "deploy-bot"));
        ApiKeys.Principal reader = keys.lookup("k-reader").orElseThrow();
        assertThat(reader.role()).isEqualTo(Role.READER);
        assertThat(reader.actor()).isEqualTo("reader-" + ApiKeys.sha256("k-reader").substring(0, 8));
        assertThat(keys.lookup("k-unknown")).isEmpty();
        assertThatThrownBy(() -> new ApiKeys(Map.of("k", "root:me"), Role.class)).hasMessageContaining("unknown role 'root'");
    }

    @Test
    void anEndpointNeedsItsMethodsRoleElseItsClassesElseTheFallback() throws Exception {
        Security security = new Security(Map.of());
        assertThat(security.requiredRole(resource(ReaderResource.class.getMethod("ops")))).isEqualTo(Role.OPS);
        assertThat(security.requiredRole(resource(ReaderResource.class.getMethod("inherits")))).isEqualTo(Role.READER);
        assertThat(security.requiredRole(resource(PlainResource.class.getMethod("unannotated")))).isEqualTo(Role.ADMIN);
        assertThat(security.requiredRole(null)).isEqualTo(Role.ADMIN);
        assertThat(security.realm()).isEqualTo("ragtune-test");
    }

    @Test
    void keysAreTheServicesKeysWithTheServicesRoles() {
        Security security = new Security(Map.of("k-admin", "admin"));
        assertThat(security.keys().lookup("k-admin").orElseThrow().role()).isEqualTo(Role.ADMIN);
        assertThatThrownBy(() -> new Security(Map.of("k", "root"))).hasMessage("unknown role 'root' (reader, ops, admin)");
    }

    private static ResourceInfo resource(Method m) {
        return new ResourceInfo() {
            @Override
            public Method getResourceMethod() {
                return m;
            }

            @Override
            public Class<?> getResourceClass() {
                return m.getDeclaringClass();
            }
        };
    }
}
