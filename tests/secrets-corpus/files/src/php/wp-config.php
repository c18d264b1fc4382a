<?php
/** The name of the database for WordPress */
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'wp_prod' );
define( 'DB_PASSWORD', '.rewfpp8UfR6mdfUviB' );
define( 'DB_HOST', 'mysql.internal' );

/**#@+
 * Authentication unique keys and salts.
 */
define( 'AUTH_KEY', 'Qg+H!Hmfx/Z+y(x|yPBKH)ZT^(-%s2,)+Zu-VxSdcTKYC:Yv+@5CTtj1n2%qmf5p' );
define( 'SECURE_AUTH_KEY', 'TNF[RVgJt;5=L%4~.lT+M?JDpx8E6FhV!n7uxCJ--!ONyWiO8P1AzvNH@:t=^zI;' );
define( 'LOGGED_IN_KEY', '99,o_8V(i7o)QJk~W!NPZmSB~r0Z;P~Zc2f(c{V)N_/e[ode[@*J?({d;#[K{S|(' );
define( 'NONCE_KEY',        'put your unique phrase here' );
define( 'AUTH_SALT', getenv('WP_AUTH_SALT') );

$table_prefix = 'wp_';
define( 'WP_DEBUG', false );
