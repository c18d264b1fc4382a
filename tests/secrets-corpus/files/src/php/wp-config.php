<?php
/** The name of the database for WordPress */
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'wp_prod' );
define( 'DB_PASSWORD', 'kDbaSTf1kWOZFd8gbO' );
define( 'DB_HOST', 'mysql.internal' );

/**#@+
 * Authentication unique keys and salts.
 */
define( 'AUTH_KEY', '{oV!bl}R~X|BTZB8ToJ/h;vck,/lv{/q,e#/p|%J|P,[09u,G/DCP)JZ+qWq+;uQ' );
define( 'SECURE_AUTH_KEY', 'e66Y^XbCDAz1q;/E8s2}ZY#yrnC]_GNAbSd|,*Io6~_!Hh5nQ6);g49Q]f)tWFc{' );
define( 'LOGGED_IN_KEY', 'mOZg6a2SIl-?#2@|d%xLWaD*)@?en|0qLb7WLp]NWh-@P(H/bSJ{1:LM=XpiS5z*' );
define( 'NONCE_KEY',        'put your unique phrase here' );
define( 'AUTH_SALT', getenv('WP_AUTH_SALT') );

$table_prefix = 'wp_';
define( 'WP_DEBUG', false );
